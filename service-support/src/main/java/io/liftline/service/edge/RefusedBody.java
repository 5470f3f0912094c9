package io.liftline.service.edge;

import io.liftline.service.JsonResponses;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reads and throws away the rest of a body the producer refused, before it answers. A client that is still
 * sending would otherwise have its connection reset under it and never read the answer (nginx's "lingering
 * close" solves the same problem); once the body is read, the connection even stays usable. A refusal that the
 * headers decide needs it most: answered before its body arrived, the request leaves the connection unreusable,
 * and Jetty closes it after an answer that did not say so, under a client that has pooled it.
 */
public final class RefusedBody {

    /** Beyond this many bytes the producer stops reading, answers and lets the connection close. */
    public static final long DISCARD_LIMIT = 8L * 1024 * 1024;

    private RefusedBody() {}

    /** The JSON refusal {@code status, message}, answered once the request's body (if any) has been read. */
    public static void answer(Request request, Response response, Callback callback, int status, String message) {
        discard(request, () -> JsonResponses.message(response, callback, status, message));
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
