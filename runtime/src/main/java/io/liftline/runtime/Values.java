package io.liftline.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * Where a config's values come from: flags and environment ({@link #from}), or code that sets some and leaves the
 * others at their declared defaults ({@link #defaults}, then {@link #set}). A config is made from one of these by
 * one constructor call, so that reading it and building it in code cannot drift apart.
 */
public final class Values {

    private final ConfigSource source;
    /** Values set in code, by variable: a service's edge declares its port settings per service. */
    private final Map<String, Object> set = new HashMap<>();

    private Values(ConfigSource source) {
        this.source = source;
    }

    /** Each setting as the source gives it, else its default. */
    public static Values from(ConfigSource source) {
        return new Values(source);
    }

    /** Each setting at its default until {@link #set}. */
    public static Values defaults() {
        return new Values(null);
    }

    /** Sets a value (null: the default, or the value derived from others where the config derives one). */
    public <T> Values set(Setting<?, T> setting, T value) {
        set.put(setting.variable(), value);
        return this;
    }

    /** The setting's value: set in code, else read from the source (parsed and checked), else its default. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<?, T> setting) {
        if (set.containsKey(setting.variable())) {
            T value = (T) set.get(setting.variable());
            return value != null ? value : setting.defaultValue();
        }
        return source != null ? setting.read(source) : setting.defaultValue();
    }
}
