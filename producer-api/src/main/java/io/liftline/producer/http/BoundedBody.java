package io.liftline.producer.http;

import io.liftline.producer.config.ProducerConfig;
import io.liftline.service.edge.RefusedBody;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request body of at most {@code max} bytes, without blocking a thread. A body that outgrows the limit is
 * read on to its end and thrown away ({@link RefusedBody}), then refused.
 *
 * <p>Not Jetty's {@code Content.Source.asByteArrayAsync(source, max, promise)}: past the limit it fails the
 * promise and then fails the request's content, so a discard begun in the promise's callback was cut short
 * whenever the rest of the body had not arrived yet. Jetty then had body bytes left unread on the connection: it
 * closed the connection (the client never read its next answer), or parsed a chunked body's tail
 * ({@code 0\r\n\r\n}) as a request of its own and answered {@code 400 No URI} (the IngestIT flake).
 */
final class BoundedBody implements Runnable {

    /** What became of the body. Each is called once, on a thread that may block. */
    interface Outcome {
        void read(byte[] body);

        /** The body outgrew the limit; it has been read to its end (or to {@link RefusedBody#DISCARD_LIMIT}). */
        void tooLarge();

        /** The body did not arrive: 408 for its deadline ({@link HttpException}), the idle timeout, a reset. */
        void failed(Throwable failure);
    }

    private final Content.Source source;
    private final int max;
    private final long deadlineNanos;
    private final Outcome outcome;
    /**
     * The body so far. Sized once from a declared length, else grown by doubling: each chunk is copied once, into
     * here, and the array is the body when it is full. (A stream of copies made garbage enough, at 20 clients of
     * 1 MiB bodies, for the producer's collector to starve its admin port: HostileClientsIT.)
     */
    private byte[] bytes;

    private int size;

    private BoundedBody(Content.Source source, int max, Outcome outcome) {
        this.source = source;
        this.max = max;
        this.deadlineNanos = System.nanoTime() + ProducerConfig.DEFAULT_BODY_TIMEOUT.toNanos();
        this.outcome = outcome;
        long declared = source.getLength();
        this.bytes = new byte[declared >= 0 && declared <= max ? (int) declared : Math.min(max, 4 * 1024)];
    }

    /**
     * Reads {@code source}'s body, which must arrive within {@link ProducerConfig#DEFAULT_BODY_TIMEOUT}: the idle
     * timeout alone lets a client that sends a byte every few seconds hold a request open forever.
     */
    static void read(Content.Source source, int max, Outcome outcome) {
        new BoundedBody(source, max, outcome).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                source.demand(this); // a plain Runnable: Jetty calls it back on a thread that may block
                return;
            }
            if (chunk.getFailure() != null) {
                outcome.failed(chunk.getFailure());
                return;
            }
            if (!chunk.isLast() && System.nanoTime() - deadlineNanos > 0) {
                chunk.release();
                outcome.failed(new HttpException.RuntimeException(408, IngestHandler.bodyDeadlineMessage()));
                return;
            }
            ByteBuffer data = chunk.getByteBuffer();
            int n = data.remaining();
            if (size + n > max) {
                chunk.release();
                bytes = null;
                RefusedBody.discard(source, outcome::tooLarge);
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
                outcome.read(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
                return;
            }
        }
    }
}
