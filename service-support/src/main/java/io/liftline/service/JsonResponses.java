package io.liftline.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.liftline.model.RideJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The services' JSON answers, never cached; error bodies are always {@code {"message": "..."}} (Upic's ResponseMsg). */
public final class JsonResponses {

    public static final String JSON = "application/json";

    private JsonResponses() {}

    public static void json(Response response, Callback callback, int status, Object body) {
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

    public static void message(Response response, Callback callback, int status, String message) {
        json(response, callback, status, Map.of("message", message));
    }
}
