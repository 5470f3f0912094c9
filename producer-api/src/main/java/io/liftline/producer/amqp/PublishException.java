package io.liftline.producer.amqp;

/**
 * Why the broker did not take a publish. Every kind means "not durably accepted, retry later with the same
 * event ids" and becomes a 503 with Retry-After; {@link #reason()} is the metric tag.
 */
public abstract sealed class PublishException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    PublishException(String reason, String message, Throwable cause) {
        super(message, cause, false, false); // expected conditions: no stack trace to fill or log
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /** No connection to the broker. */
    public static final class BrokerUnavailable extends PublishException {
        private static final long serialVersionUID = 1L;

        public BrokerUnavailable(String message, Throwable cause) {
            super("unavailable", message, cause);
        }
    }

    /** The broker blocks publishers because of a memory or disk alarm. */
    public static final class BrokerBlocked extends PublishException {
        private static final long serialVersionUID = 1L;

        public BrokerBlocked(String message) {
            super("blocked", message, null);
        }

        /** The broker's own reason (e.g. "low on memory"), in the words every 503 and log line use. */
        public static BrokerBlocked because(String brokerReason) {
            return new BrokerBlocked("broker blocked by a resource alarm (" + brokerReason + ")");
        }
    }

    /** No channel became free within the acquire timeout. */
    public static final class PoolExhausted extends PublishException {
        private static final long serialVersionUID = 1L;

        public PoolExhausted(String message) {
            super("pool_exhausted", message, null);
        }
    }

    /** The broker did not confirm within the publish timeout (or in-flight capacity stayed full as long). */
    public static final class ConfirmTimeout extends PublishException {
        private static final long serialVersionUID = 1L;

        public ConfirmTimeout(String message) {
            super("timeout", message, null);
        }
    }

    /** The broker refused the message (basic.nack), e.g. a full queue with reject-publish. */
    public static final class Nacked extends PublishException {
        private static final long serialVersionUID = 1L;

        public Nacked(String message) {
            super("nacked", message, null);
        }
    }

    /** The message could not be routed to a queue (basic.return of a mandatory publish). */
    public static final class Returned extends PublishException {
        private static final long serialVersionUID = 1L;

        public Returned(String message) {
            super("returned", message, null);
        }
    }

    /** The channel closed before the broker confirmed. */
    public static final class ChannelClosed extends PublishException {
        private static final long serialVersionUID = 1L;

        public ChannelClosed(String message, Throwable cause) {
            super("channel_closed", message, cause);
        }
    }
}
