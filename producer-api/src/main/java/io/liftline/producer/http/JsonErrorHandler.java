package io.liftline.producer.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request line, headers too large, an unexpected exception) as the
 * same JSON {@code {"message": ...}} as every other error, never an HTML page or a stack trace.
 */
public final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        if (code >= 500) {
            text = HttpStatus.getMessage(code); // never leak internals of a server-side failure
        }
        byte[] body;
        try {
            body = io.liftline.model.RideJson.MAPPER.writeValueAsBytes(Map.of("message", text));
        } catch (Exception e) {
            body = "{\"message\":\"error\"}".getBytes(StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Responses.JSON);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
