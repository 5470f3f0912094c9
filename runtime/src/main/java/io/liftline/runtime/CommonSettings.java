package io.liftline.runtime;

import java.time.Duration;
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

    /** {@code LIFTLINE_ADMIN_BIND_ADDRESS}: the interface of a service's admin port (health, metrics); all by default. */
    public static <C> Setting<C, String> adminBindAddress(Function<C, String> getter) {
        return Setting.text("LIFTLINE_ADMIN_BIND_ADDRESS", getter)
                .byDefault(null, "all interfaces")
                .doc("the interface of the admin port");
    }

    /** {@code LIFTLINE_SHUTDOWN_TIMEOUT}: how long a service may take to finish its work in hand when told to stop. */
    public static <C> Setting<C, Duration> shutdownTimeout(Function<C, Duration> getter) {
        return Setting.duration("LIFTLINE_SHUTDOWN_TIMEOUT", getter)
                .byDefault(Duration.ofSeconds(10))
                .check(Checks.POSITIVE_DURATION)
                .doc("how long the work in hand may take to finish at shutdown");
    }
}
