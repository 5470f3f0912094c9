package io.liftline.runtime;

import java.time.Duration;

/** The validations every config object makes, with messages that name the setting. */
public final class Checks {

    private Checks() {
    }

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
            throw new IllegalArgumentException(name + " must start with amqp:// or amqps://, was " + Secrets.maskUri(uri));
        }
        return uri;
    }
}
