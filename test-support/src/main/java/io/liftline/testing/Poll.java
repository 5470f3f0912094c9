package io.liftline.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Polling instead of sleeping: a test waits exactly as long as the condition needs, and no longer than told. */
public final class Poll {

    private static final Duration INTERVAL = Duration.ofMillis(50);

    private Poll() {}

    /**
     * Waits until the condition holds; fails with {@code what} when it does not within the timeout. An exception
     * from the condition counts as "not yet".
     */
    public static void waitAtMost(Duration timeout, String what, Callable<Boolean> condition) {
        waitAtMost(timeout, what, condition, Boolean.TRUE::equals);
    }

    /**
     * Polls {@code value} until {@code done} accepts it, and returns that value; fails with {@code what} and
     * the last value seen when the timeout passes first. Exceptions from {@code value} count as "not yet".
     */
    public static <T> T waitAtMost(Duration timeout, String what, Callable<T> value, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (true) {
            try {
                last = value.call();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("waited " + timeout.toMillis() + " ms for " + what
                        + "; last value: " + last + (lastError == null ? "" : "; last error: " + lastError));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
