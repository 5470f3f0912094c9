package io.liftline.consumer.amqp;

/** A message that can never become a stored ride; {@link #reason()} is its dead-letter reason header. */
final class Poison extends Exception {
    private static final long serialVersionUID = 1L;

    static final String UNSUPPORTED_SCHEMA_VERSION = "unsupported-schema-version";
    static final String MALFORMED_JSON = "malformed-json";
    static final String INVALID_RIDE = "invalid-ride";

    private final String reason;

    Poison(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
