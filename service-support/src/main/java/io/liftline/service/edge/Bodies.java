package io.liftline.service.edge;

import io.liftline.service.JsonResponses;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The last link of the edge: the body of a request whose API reads one. It must say JSON (415), hold at most the
 * route's limit (413) and arrive whole within {@link #DEADLINE} (408); the service then finds the bytes with
 * {@link #of}, and holds no thread while they arrive. Requests whose body the API does not read pass on untouched
 * (their handlers refuse them, {@link RefusedBody}).
 *
 * <p>Not Jetty's {@code Content.Source.asByteArrayAsync(source, max, promise)}: past the limit it fails the promise
 * and then fails the request's content, so a discard begun in the promise's callback was cut short whenever the rest
 * of the body had not arrived yet. Jetty then had body bytes left unread on the connection: it closed the connection
 * (the client never read its next answer), or parsed a chunked body's tail ({@code 0\r\n\r\n}) as a request of its
 * own and answered {@code 400 No URI} (the IngestIT flake).
 */
public final class Bodies extends Handler.Wrapper {

    /** What the limit says of a request whose body its API does not read. */
    public static final int IGNORED = -1;

    /**
     * How long a body may take to arrive, then 408: the idle timeout alone lets a client that sends a byte every few
     * seconds (slowloris) hold a request open for ever. A 1 MiB batch needs only 100 KiB/s to make it.
     */
    public static final Duration DEADLINE = Duration.ofSeconds(10);

    private static final String BODY = Bodies.class.getName() + ".body";

    private final ToIntFunction<Request> limit;

    /**
     * @param limit the most bytes a request's body may hold, or {@link #IGNORED} when its API reads none
     */
    public Bodies(ToIntFunction<Request> limit, Handler next) {
        super(next);
        this.limit = limit;
    }

    /** The body this link read for the request. */
    public static byte[] of(Request request) {
        return (byte[]) request.getAttribute(BODY);
    }

    /** The 413's message for a body over {@code max} bytes (docs/openapi.yaml's examples are checked against it). */
    public static String tooLargeMessage(int max) {
        return "request body exceeds " + max + " bytes";
    }

    /** The 408's message for a body still arriving at its deadline (checked against docs/openapi.yaml, too). */
    public static String deadlineMessage() {
        return "the request body did not arrive within " + DEADLINE.toSeconds() + " s";
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int max = limit.applyAsInt(request);
        if (max == IGNORED) {
            return super.handle(request, response, callback);
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!isJson(contentType)) {
            RefusedBody.answer(
                    request,
                    response,
                    callback,
                    415,
                    "Content-Type must be application/json, was "
                            + (contentType == null ? "absent" : "'" + contentType + "'"));
        } else if (request.getLength() > max) {
            RefusedBody.answer(request, response, callback, 413, tooLargeMessage(max));
        } else {
            new Reader(request, response, callback, max).run();
        }
        return true;
    }

    /** Hands the whole body to the next link, on a thread that may block (Jetty's demand callbacks are such). */
    private void next(Request request, Response response, Callback callback, byte[] body) {
        request.setAttribute(BODY, body);
        try {
            if (!super.handle(request, response, callback)) {
                JsonResponses.message(
                        response, callback, 404, "no such resource: " + Request.getPathInContext(request));
            }
        } catch (Throwable failure) {
            callback.failed(failure);
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** Reads one body of at most {@code max} bytes, chunk by chunk as they arrive. */
    private final class Reader implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final int max;
        private final long deadlineNanos = System.nanoTime() + DEADLINE.toNanos();
        /**
         * The body so far. Sized once from a declared length, else grown by doubling: each chunk is copied once, into
         * here, and the array is the body when it is full. (A stream of copies made garbage enough, at 20 clients of
         * 1 MiB bodies, for the producer's collector to starve its admin port: HostileClientsIT.)
         */
        private byte[] bytes;

        private int size;

        Reader(Request request, Response response, Callback callback, int max) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.max = max;
            long declared = request.getLength();
            this.bytes = new byte[declared >= 0 && declared <= max ? (int) declared : Math.min(max, 4 * 1024)];
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this); // a plain Runnable: Jetty calls it back on a thread that may block
                    return;
                }
                if (chunk.getFailure() != null) {
                    failed(chunk.getFailure());
                    return;
                }
                if (!chunk.isLast() && System.nanoTime() - deadlineNanos > 0) {
                    chunk.release();
                    JsonResponses.message(response, callback, 408, deadlineMessage());
                    return;
                }
                ByteBuffer data = chunk.getByteBuffer();
                int n = data.remaining();
                if (size + n > max) { // a chunked body that outgrew the limit: read on to its end, then refuse
                    chunk.release();
                    bytes = null;
                    RefusedBody.discard(
                            request, () -> JsonResponses.message(response, callback, 413, tooLargeMessage(max)));
                    return;
                }
                if (size + n > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.min(max, Math.max(size + n, 2 * bytes.length)));
                }
                data.get(bytes, size, n);
                size += n;
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    next(request, response, callback, size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
                    return;
                }
            }
        }

        private void failed(Throwable failure) {
            if (failure instanceof TimeoutException) { // no byte for the idle timeout
                JsonResponses.message(response, callback, 408, "the request body stopped arriving");
            } else {
                JsonResponses.message(
                        response, callback, 400, "could not read the request body: " + failure.getMessage());
            }
        }
    }
}
