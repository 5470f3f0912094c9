package io.liftline.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings of one config, in the order {@code --help} and the start-up line give them: what the config reads,
 * checks, lists and describes, each from its one {@link Setting} declaration.
 *
 * @param <C> the config object
 */
public final class Settings<C> {

    private final List<Setting<C, ?>> all;

    private Settings(List<Setting<C, ?>> all) {
        Set<String> seen = new LinkedHashSet<>();
        for (Setting<C, ?> setting : all) {
            if (!seen.add(setting.variable())) {
                throw new IllegalArgumentException(setting.variable() + " is declared twice");
            }
        }
        this.all = List.copyOf(all);
    }

    @SafeVarargs
    public static <C> Settings<C> of(Setting<C, ?>... settings) {
        List<Setting<C, ?>> list = new ArrayList<>(settings.length);
        for (Setting<C, ?> setting : settings) {
            list.add(setting);
        }
        return new Settings<>(list);
    }

    /** These settings and those of a part of the config ({@code ProducerConfig::edge}), after them. */
    public <D> Settings<C> and(Settings<D> part, Function<C, D> where) {
        List<Setting<C, ?>> joined = new ArrayList<>(all);
        part.all.forEach(s -> joined.add(s.in(where)));
        return new Settings<>(joined);
    }

    public List<Setting<C, ?>> all() {
        return all;
    }

    /** Every variable read, old names included: what a command line may name. */
    public List<String> variables() {
        List<String> variables = new ArrayList<>();
        for (Setting<C, ?> setting : all) {
            variables.add(setting.variable());
            if (setting.oldName() != null) {
                variables.add(setting.oldName());
            }
        }
        return Collections.unmodifiableList(variables);
    }

    /** Fails on a flag that is none of these settings, listing those that exist. */
    public void rejectUnknownFlags(ConfigSource source) {
        source.rejectUnknownFlags(variables());
    }

    /**
     * Checks every value a config holds against its declaration: a config built in code (a test, a builder)
     * meets the same rules as one read from flags and environment.
     *
     * @return the config
     * @throws IllegalArgumentException naming the first setting at fault
     */
    public C check(C config) {
        all.forEach(s -> s.checkIn(config));
        return config;
    }

    /** {@code Name{amqpUri=amqp://app:****@host, channelPoolSize=4, ...}}: every setting, no secret. */
    public String describe(String name, C config) {
        StringBuilder sb = new StringBuilder(name).append('{');
        for (int i = 0; i < all.size(); i++) {
            Setting<C, ?> setting = all.get(i);
            sb.append(i == 0 ? "" : ", ").append(setting.name()).append('=').append(setting.show(config));
        }
        return sb.append('}').toString();
    }

    /** {@code --help}: each flag, its variable, its default and what it means. */
    public String usage(String command) {
        StringBuilder sb = new StringBuilder("usage: " + command + " [--flag=value ...]\n"
                + "Each setting is a LIFTLINE_* environment variable or its --flag (flags win); any may instead name a file\n"
                + "holding its value with _FILE (--flag-file). Defaults in brackets.\n");
        for (Setting<C, ?> setting : all) {
            sb.append(String.format(
                    "  %-36s %s [%s]%n",
                    setting.flag(), setting.variable(), setting.defaultText().replace("`", "")));
            if (!setting.doc().isEmpty()) {
                sb.append(String.format("  %-36s   %s%n", "", setting.doc()));
            }
        }
        return sb.toString();
    }
}
