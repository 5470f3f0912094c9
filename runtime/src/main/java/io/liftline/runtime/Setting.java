package io.liftline.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * One setting, declared once: its variable (and from it its flag), its default, how its text is parsed, what it
 * must be, what it means, and whether it is secret. Reading it, checking a config built in code, {@code --help},
 * the masked start-up line and the docs check (docs/configuration.md) all come from this declaration.
 *
 * <pre>{@code
 * static final Setting<ProducerConfig, Integer> CHANNEL_POOL_SIZE =
 *         Setting.integer("LIFTLINE_CHANNEL_POOL_SIZE", ProducerConfig::channelPoolSize)
 *                 .byDefault(4).check(Checks.POSITIVE).doc("confirm channels on the one connection");
 * }</pre>
 *
 * <p>Immutable: each modifier returns a new declaration.
 *
 * @param <C> the config object that holds the value
 * @param <T> the value's type
 */
public final class Setting<C, T> {

    /** Turns a setting's text into its value; throws any runtime exception when it cannot. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String text);
    }

    /** What a value must be: null when it is fine, else the problem, e.g. {@code must be > 0}. */
    @FunctionalInterface
    public interface Check<T> {
        String problem(T value);
    }

    private static final String PREFIX = "LIFTLINE_";

    private final String variable;
    private final Function<C, T> getter;
    private final Parser<T> parser;
    private final String expected;
    private final T defaultValue;
    private final String defaultText;
    private final Check<? super T> check;
    private final String doc;
    private final boolean secret;
    private final Function<? super T, String> shown;
    private final String oldName;

    private Setting(
            String variable,
            Function<C, T> getter,
            Parser<T> parser,
            String expected,
            T defaultValue,
            String defaultText,
            Check<? super T> check,
            String doc,
            boolean secret,
            Function<? super T, String> shown,
            String oldName) {
        if (!variable.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a setting's variable starts with " + PREFIX + ": " + variable);
        }
        this.variable = variable;
        this.getter = Objects.requireNonNull(getter, "getter");
        this.parser = parser;
        this.expected = expected;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.check = check;
        this.doc = doc;
        this.secret = secret;
        this.shown = shown;
        this.oldName = oldName;
    }

    /**
     * A setting of any type.
     *
     * @param getter   where a config holds it (for the start-up line and for checking a config built in code)
     * @param expected what its text must be, for the error message: {@code an integer}
     */
    public static <C, T> Setting<C, T> of(String variable, Function<C, T> getter, Parser<T> parser, String expected) {
        return new Setting<>(variable, getter, parser, expected, null, null, null, "", false, null, null);
    }

    public static <C> Setting<C, String> text(String variable, Function<C, String> getter) {
        return of(variable, getter, text -> text, "text");
    }

    public static <C> Setting<C, Integer> integer(String variable, Function<C, Integer> getter) {
        return of(variable, getter, Integer::parseInt, "an integer");
    }

    public static <C> Setting<C, Long> longInteger(String variable, Function<C, Long> getter) {
        return of(variable, getter, Long::parseLong, "an integer");
    }

    public static <C> Setting<C, Double> number(String variable, Function<C, Double> getter) {
        return of(variable, getter, Double::parseDouble, "a number");
    }

    public static <C> Setting<C, Boolean> bool(String variable, Function<C, Boolean> getter) {
        return of(variable, getter, ConfigSource::parseBoolean, "true or false");
    }

    /** Written {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}). */
    public static <C> Setting<C, Duration> duration(String variable, Function<C, Duration> getter) {
        return of(variable, getter, ConfigSource::parseDuration, "a duration such as 250ms, 5s or 2m");
    }

    public static <C> Setting<C, Path> path(String variable, Function<C, Path> getter) {
        return of(variable, getter, Path::of, "a file path");
    }

    /** The value when the setting is not given; the docs show it in backticks. */
    public Setting<C, T> byDefault(T value) {
        // Unmasked: a default is in the code for anyone to read (guest:guest), and the docs give it as it is.
        return byDefault(value, value == null ? "unset" : "`" + (value instanceof String s ? s : format(value)) + "`");
    }

    /**
     * The value when the setting is not given, and how the docs and {@code --help} describe it, for defaults that
     * depend on other settings ({@code null} here, resolved by the config) or read better in words.
     */
    public Setting<C, T> byDefault(T value, String text) {
        return new Setting<>(variable, getter, parser, expected, value, text, check, doc, secret, shown, oldName);
    }

    /** What a value must be; checked when read and when a config built in code is checked. Null values pass. */
    public Setting<C, T> check(Check<? super T> rule) {
        return new Setting<>(
                variable, getter, parser, expected, defaultValue, defaultText, rule, doc, secret, shown, oldName);
    }

    /** What the setting means: one line for {@code --help}. */
    public Setting<C, T> doc(String text) {
        return new Setting<>(
                variable, getter, parser, expected, defaultValue, defaultText, check, text, secret, shown, oldName);
    }

    /** Never shown: the start-up line and every message say {@code ****}. */
    public Setting<C, T> secret() {
        return new Setting<>(
                variable, getter, parser, expected, defaultValue, defaultText, check, doc, true, shown, oldName);
    }

    /** How the start-up line shows a value, e.g. {@code -1} as {@code off}. */
    public Setting<C, T> shown(Function<? super T, String> how) {
        return new Setting<>(
                variable, getter, parser, expected, defaultValue, defaultText, check, doc, secret, how, oldName);
    }

    /** An old name still read, with a warning, so that existing installations keep working. */
    public Setting<C, T> formerly(String oldVariable) {
        return new Setting<>(
                variable, getter, parser, expected, defaultValue, defaultText, check, doc, secret, shown, oldVariable);
    }

    /** The same setting, held by a part of a bigger config ({@code ProducerConfig::edge}). */
    public <D> Setting<D, T> in(Function<D, C> part) {
        Function<D, T> whole = d -> {
            C c = part.apply(d);
            return c == null ? null : getter.apply(c);
        };
        return new Setting<>(
                variable, whole, parser, expected, defaultValue, defaultText, check, doc, secret, shown, oldName);
    }

    /** {@code LIFTLINE_CHANNEL_POOL_SIZE}. */
    public String variable() {
        return variable;
    }

    /** {@code --channel-pool-size}. */
    public String flag() {
        return ConfigSource.flagName(variable);
    }

    /** {@code channelPoolSize}: the name in the start-up line. */
    public String name() {
        String[] words =
                variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return name.toString();
    }

    /** The old name still read, or null. */
    public String oldName() {
        return oldName;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** The default as the docs give it: {@code `8080`}, or words such as {@code unset (none)}. */
    public String defaultText() {
        return defaultText == null ? "unset" : defaultText;
    }

    public String doc() {
        return doc;
    }

    public boolean isSecret() {
        return secret;
    }

    /**
     * The value the source gives (its flag, its variable, their files, the old name), else the default; parsed
     * and checked.
     *
     * @throws IllegalArgumentException naming the setting and what it must be, never a secret's text
     */
    public T read(ConfigSource source) {
        String text = source.get(variable, null);
        String from = variable;
        if (oldName != null) {
            String old = source.get(oldName, null);
            if (old != null) {
                if (text != null && !text.equals(old)) {
                    throw new IllegalArgumentException(label() + " and its old name " + oldName + " disagree ("
                            + (secret ? "****" : text) + " and " + (secret ? "****" : old) + "): set only " + variable);
                }
                if (text == null) {
                    LoggerFactory.getLogger(Setting.class)
                            .warn(
                                    "{} ({}) is the old name of {} ({}); it still works, but rename it",
                                    oldName,
                                    ConfigSource.flagName(oldName),
                                    variable,
                                    flag());
                    text = old;
                    from = oldName;
                }
            }
        }
        if (text == null) {
            return defaultValue;
        }
        T value;
        try {
            value = parser.parse(text);
        } catch (RuntimeException e) {
            // A parser's own IllegalArgumentException says what is wrong (ranges: unknown field 'x'); the JDK's do not.
            String why = e instanceof IllegalArgumentException
                            && !(e instanceof NumberFormatException)
                            && e.getMessage() != null
                            && !secret
                    ? " (" + e.getMessage() + ")"
                    : "";
            throw new IllegalArgumentException(
                    label(from) + " must be " + expected + ", was '" + (secret ? "****" : text) + "'" + why);
        }
        return requireValid(value);
    }

    /** The value this config holds, checked. */
    public T checkIn(C config) {
        return requireValid(getter.apply(config));
    }

    /**
     * The value, if it passes the check (null passes).
     *
     * @throws IllegalArgumentException naming the setting and the rule, with the value unless it is secret
     */
    public T requireValid(T value) {
        String problem = value == null || check == null ? null : check.problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(label() + " " + problem + (secret ? "" : ", was " + format(value)));
        }
        return value;
    }

    /** How the start-up line shows this config's value: masked when secret, credentials in URIs masked. */
    public String show(C config) {
        T value = getter.apply(config);
        if (value == null) {
            return defaultText().replace("`", "");
        }
        if (secret) {
            return "****";
        }
        return shown != null ? shown.apply(value) : format(value);
    }

    /** {@code LIFTLINE_X (--x)}. */
    String label() {
        return label(variable);
    }

    private static String label(String variable) {
        return variable + " (" + ConfigSource.flagName(variable) + ")";
    }

    /** Durations as they are written ({@code 50ms}, {@code 5s}, {@code 2m}, {@code 1h}); URIs without passwords. */
    public static String format(Object value) {
        if (value instanceof Duration d) {
            long ms = d.toMillis();
            if (ms == 0) {
                return "0s";
            }
            if (ms % 3_600_000 == 0) {
                return ms / 3_600_000 + "h";
            }
            if (ms % 60_000 == 0) {
                return ms / 60_000 + "m";
            }
            return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
        }
        if (value instanceof List<?> list) {
            return list.stream()
                    .map(Setting::format)
                    .reduce((a, b) -> a + "," + b)
                    .orElse("");
        }
        return Secrets.maskUri(String.valueOf(value));
    }

    @Override
    public String toString() {
        return variable;
    }
}
