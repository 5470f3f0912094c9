package io.liftline.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where configuration comes from: {@code --kebab-case} flags, then {@code LIFTLINE_*} environment variables,
 * then defaults. Each setting has one name, its variable ({@code LIFTLINE_AMQP_URI}); its flag is derived
 * ({@code --amqp-uri}). The environment is injected, so tests pass a map instead of mutating the process.
 *
 * <p>Any setting may instead name a file holding its value: {@code LIFTLINE_AMQP_URI_FILE} (or
 * {@code --amqp-uri-file}), the Docker secrets convention, so that no secret needs to be on a command line
 * ({@code ps} shows those) or in the environment.
 */
public final class ConfigSource {

    private static final String PREFIX = "LIFTLINE_";
    private static final String FILE_SUFFIX = "_FILE";
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final Map<String, String> flags;
    private final Function<String, String> env;
    private final boolean help;

    private ConfigSource(Map<String, String> flags, Function<String, String> env, boolean help) {
        this.flags = Map.copyOf(flags);
        this.env = env;
        this.help = help;
    }

    /**
     * Reads {@code --name=value} and {@code --name value} flags, and switches ({@code --verify} means true);
     * {@code --help} or {@code -h} asks for usage.
     *
     * @throws IllegalArgumentException for anything that is not such a flag
     */
    public static ConfigSource from(String[] args, Function<String, String> env) {
        Objects.requireNonNull(env, "env");
        Map<String, String> flags = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "': settings are --name=value flags");
            }
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                name = arg.substring(2);
                value = args[++i];
            } else {
                name = arg.substring(2); // a switch such as --verify
                value = "true";
            }
            flags.put(variableName(name), value);
        }
        return new ConfigSource(flags, env, help);
    }

    /** Configuration from environment variables only. */
    public static ConfigSource fromEnvironment(Function<String, String> env) {
        return new ConfigSource(Map.of(), env, false);
    }

    /** {@code LIFTLINE_AMQP_URI} → {@code --amqp-uri}. */
    public static String flagName(String variable) {
        return "--"
                + variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String variableName(String flag) {
        return PREFIX + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public boolean helpRequested() {
        return help;
    }

    /** Fails on a flag that is none of the given settings, listing the ones that exist. */
    public void rejectUnknownFlags(Collection<String> variables) {
        for (String given : flags.keySet()) {
            String setting =
                    given.endsWith(FILE_SUFFIX) ? given.substring(0, given.length() - FILE_SUFFIX.length()) : given;
            if (!variables.contains(given) && !variables.contains(setting)) {
                TreeSet<String> known = new TreeSet<>();
                variables.forEach(v -> known.add(flagName(v)));
                throw new IllegalArgumentException("unknown flag " + flagName(given) + "; known flags: " + known);
            }
        }
    }

    /**
     * The flag's value, else the flag's file's, else the variable's, else the variable's file's ({@code *_FILE}),
     * else the default. Blank values count as unset.
     */
    public String get(String variable, String defaultValue) {
        String value = flags.get(variable);
        if (isBlank(value)) {
            value = readFile(variable, flags.get(variable + FILE_SUFFIX));
        }
        if (isBlank(value)) {
            value = env.apply(variable);
        }
        if (isBlank(value)) {
            value = readFile(variable, env.apply(variable + FILE_SUFFIX));
        }
        return isBlank(value) ? defaultValue : value.strip();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static String readFile(String variable, String file) {
        if (isBlank(file)) {
            return null;
        }
        try {
            return Files.readString(Path.of(file.strip()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // The message names the file, never its content: it may be a secret.
            throw new IllegalArgumentException(variable + FILE_SUFFIX + " (" + flagName(variable) + "-file) names '"
                    + file.strip() + "', which cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Whether the switch was given on this command line ({@code --yes}): for confirmations, which an inherited
     * environment variable must never give.
     */
    public boolean switchGiven(String variable) {
        String value = flags.get(variable);
        return value != null
                && switch (value.strip().toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "1" -> true;
                    default -> false;
                };
    }

    /** True for true, yes, 1 (and a bare switch), false for false, no, 0. */
    public boolean getBoolean(String variable, boolean defaultValue) {
        return parsed(variable, defaultValue, ConfigSource::parseBoolean, "true or false");
    }

    /** True for true, yes, 1, false for false, no, 0, whatever the case; anything else is refused. */
    public static boolean parseBoolean(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("not true or false: " + value);
        };
    }

    public int getInt(String variable, int defaultValue) {
        return parsed(variable, defaultValue, Integer::parseInt, "an integer");
    }

    /** Durations are written {@code 250ms}, {@code 5s}, {@code 2m} or {@code 1h}, or ISO-8601 ({@code PT5S}). */
    public Duration getDuration(String variable, Duration defaultValue) {
        return parsed(variable, defaultValue, ConfigSource::parseDuration, "a duration such as 250ms, 5s or 2m");
    }

    private <T> T parsed(String variable, T defaultValue, Function<String, T> parser, String expected) {
        String value = get(variable, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw invalid(variable, value, expected);
        }
    }

    /** {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}); throws when it is none. */
    public static Duration parseDuration(String value) {
        Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        return Duration.parse(value.strip());
    }

    private static IllegalArgumentException invalid(String variable, String value, String expected) {
        return new IllegalArgumentException(
                variable + " (" + flagName(variable) + ") must be " + expected + ", was '" + value + "'");
    }
}
