package io.liftline.service.edge;

import org.eclipse.jetty.io.Content;

/**
 * Reads and throws away the rest of a body the producer refused, before it answers. A client that is still
 * sending would otherwise have its connection reset under it and never read the answer (nginx's "lingering
 * close" solves the same problem); once the body is read, the connection even stays usable.
 */
public final class RefusedBody {

    /** Beyond this many bytes the producer stops reading, answers and lets the connection close. */
    public static final long DISCARD_LIMIT = 8L * 1024 * 1024;

    private RefusedBody() {
    }

    /** Discards what is left of {@code body} (up to {@link #DISCARD_LIMIT} bytes), then runs {@code then}. */
    public static void discard(Content.Source body, Runnable then) {
        if (body.getLength() > DISCARD_LIMIT) {
            then.run();
            return;
        }
        new Runnable() {
            private long discarded;

            @Override
            public void run() {
                while (true) {
                    Content.Chunk chunk = body.read();
                    if (chunk == null) {
                        body.demand(this);
                        return;
                    }
                    discarded += chunk.remaining();
                    boolean done = chunk.isLast() || chunk.getFailure() != null || discarded > DISCARD_LIMIT;
                    chunk.release();
                    if (done) {
                        then.run();
                        return;
                    }
                }
            }
        }.run();
    }
}
