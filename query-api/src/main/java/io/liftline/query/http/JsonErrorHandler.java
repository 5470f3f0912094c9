package io.liftline.query.http;

import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty answers itself (a malformed request, an unexpected exception) as JSON {@code {"message": ...}}. */
public final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        // never leak internals of a server-side failure
        String text = code >= 500 || message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        Responses.message(response, callback, code, text);
    }
}
