package io.liftline.runtime;

import java.util.function.Function;

/**
 * The settings that several services read, each declared once: its variable, default and check, and what it is. A
 * service declares its own from one of these with its accessor, and says what the value means to it where that
 * says more ({@link Setting#doc}).
 */
public final class CommonSettings {

    private CommonSettings() {}

    /** {@code LIFTLINE_AMQP_URI}: the broker, the local one by default. */
    public static <C> Setting<C, String> amqpUri(Function<C, String> getter) {
        return Setting.text("LIFTLINE_AMQP_URI", getter)
                .byDefault("amqp://guest:guest@127.0.0.1:5672/%2F")
                .check(Checks.AMQP_URI)
                .doc("the broker; amqps:// for TLS; several nodes as amqp://u:p@h1:5672,h2:5672/vhost");
    }

    /** {@code LIFTLINE_MONGODB_URI}: the store, the local one by default. */
    public static <C> Setting<C, String> mongodbUri(Function<C, String> getter) {
        return Setting.text("LIFTLINE_MONGODB_URI", getter)
                .byDefault("mongodb://127.0.0.1:27017")
                .check(Checks.MONGODB_URI)
                .doc("the store");
    }

    /** {@code LIFTLINE_MONGODB_DATABASE}: the store's database, {@code liftline} by default. */
    public static <C> Setting<C, String> mongodbDatabase(Function<C, String> getter) {
        return Setting.text("LIFTLINE_MONGODB_DATABASE", getter)
                .byDefault("liftline")
                .check(Checks.NOT_BLANK)
                .doc("the database");
    }
}
