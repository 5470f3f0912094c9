package io.liftline.management;

/** A management API call that failed: not reachable, refused, or answered with an error status. */
public final class ManagementException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    ManagementException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the API answered; -1 when it did not answer. */
    public int status() {
        return status;
    }
}
