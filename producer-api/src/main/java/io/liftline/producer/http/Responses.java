package io.liftline.producer.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.liftline.service.JsonResponses;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The hot path's answer, written without a serializer; every other answer is a {@link JsonResponses}. */
final class Responses {

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final byte[] CREATED_PREFIX = "{\"eventId\":\"".getBytes(StandardCharsets.UTF_8);

    private Responses() {}

    /** The 201 of a single POST, written without a serializer: it is the hot path. */
    static void created(Response response, Callback callback, String eventId) {
        byte[] quoted = ENCODER.quoteAsUTF8(eventId);
        ByteBuffer body = ByteBuffer.allocate(CREATED_PREFIX.length + quoted.length + 2);
        body.put(CREATED_PREFIX).put(quoted).put((byte) '"').put((byte) '}').flip();
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JsonResponses.JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, body, callback);
    }
}
