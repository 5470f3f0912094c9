package io.liftline.service;

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
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        // never leak internals of a server-side failure
        String text = code >= 500 || message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        JsonResponses.message(response, callback, code, text);
    }
}
