package io.liftline.runtime;

import java.time.Duration;

/** The validations every config object makes, with messages that name the setting. */
public final class Checks {

    /** A count or a size: more than zero. */
    public static final Setting.Check<Number> POSITIVE = v -> v.doubleValue() > 0 ? null : "must be > 0";
    /** Zero (none, off) or more. */
    public static final Setting.Check<Number> NOT_NEGATIVE =
            v -> v.doubleValue() >= 0 && !Double.isInfinite(v.doubleValue()) ? null : "must be 0 or more";
    /** A timeout or an interval: longer than zero. */
    public static final Setting.Check<java.time.Duration> POSITIVE_DURATION =
            v -> v.isNegative() || v.isZero() ? "must be > 0" : null;
    /** A delay that may be none. */
    public static final Setting.Check<java.time.Duration> NOT_NEGATIVE_DURATION =
            v -> v.isNegative() ? "must be 0 or more" : null;
    /** A port to listen on: 0 picks a free one, -1 turns it off. */
    public static final Setting.Check<Integer> PORT =
            v -> v >= -1 && v <= 65_535 ? null : "must be 0..65535 (0 picks a free port) or -1 (off)";
    /** An AMQP URI (the message masks the password). */
    public static final Setting.Check<String> AMQP_URI =
            v -> v.startsWith("amqp://") || v.startsWith("amqps://") ? null : "must start with amqp:// or amqps://";
    /** A MongoDB connection string. */
    public static final Setting.Check<String> MONGODB_URI =
            v -> v.startsWith("mongodb://") || v.startsWith("mongodb+srv://")
                    ? null
                    : "must start with mongodb:// or mongodb+srv://";
    /** Not blank. */
    public static final Setting.Check<String> NOT_BLANK = v -> v.isBlank() ? "must not be blank" : null;

    private Checks() {}

    public static <T> T required(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must be set");
        }
        return value;
    }

    public static Duration positive(Duration value, String name) {
        required(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
        return value;
    }

    public static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
        return value;
    }

    /** An amqp:// or amqps:// URI; the message masks its password. */
    public static String amqpUri(String uri, String name) {
        required(uri, name);
        if (!uri.startsWith("amqp://") && !uri.startsWith("amqps://")) {
            throw new IllegalArgumentException(
                    name + " must start with amqp:// or amqps://, was " + Secrets.maskUri(uri));
        }
        return uri;
    }
}
