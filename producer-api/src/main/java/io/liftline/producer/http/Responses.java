package io.liftline.producer.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.liftline.model.RideJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes the JSON answers; error bodies are always {@code {"message": "..."}} (the Upic ResponseMsg). */
final class Responses {

    static final String JSON = "application/json";
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final byte[] CREATED_PREFIX = "{\"eventId\":\"".getBytes(StandardCharsets.UTF_8);

    private Responses() {
    }

    static void json(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = RideJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = "{\"message\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** The 201 of a single POST, written without a serializer: it is the hot path. */
    static void created(Response response, Callback callback, String eventId) {
        byte[] quoted = ENCODER.quoteAsUTF8(eventId);
        ByteBuffer body = ByteBuffer.allocate(CREATED_PREFIX.length + quoted.length + 2);
        body.put(CREATED_PREFIX).put(quoted).put((byte) '"').put((byte) '}').flip();
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, body, callback);
    }

    static void message(Response response, Callback callback, int status, String message) {
        json(response, callback, status, Map.of("message", message));
    }

}
