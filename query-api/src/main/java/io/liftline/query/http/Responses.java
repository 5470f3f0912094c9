package io.liftline.query.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.liftline.model.RideJson;
import io.liftline.service.JsonResponses;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The read API's answers: JSON with caching headers and ETags; errors are {@link JsonResponses#message}. */
final class Responses {

    private static final int ETAG_HEX_DIGITS = 32;

    private Responses() {}

    /**
     * A 200 with the body as JSON. With a {@code cacheControl} (an answer that will not change) it gets that header
     * and a strong ETag of its bytes, and a request whose {@code If-None-Match} names the ETag gets a 304; without,
     * {@code no-store}.
     */
    static void answer(Request request, Response response, Callback callback, Object body, String cacheControl) {
        byte[] bytes = bytes(body);
        if (cacheControl == null) {
            write(response, callback, bytes, "no-store");
            return;
        }
        String etag = '"' + HexFormat.of().formatHex(sha256(bytes)).substring(0, ETAG_HEX_DIGITS) + '"';
        response.getHeaders().put(HttpHeader.ETAG, etag);
        if (matches(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), etag)) {
            response.setStatus(304);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, cacheControl);
            callback.succeeded();
            return;
        }
        write(response, callback, bytes, cacheControl);
    }

    /** If-None-Match: a list of ETags (possibly weak, W/"..."), or *. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static void write(Response response, Callback callback, byte[] bytes, String cacheControl) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JsonResponses.JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, cacheControl);
        response.write(true, ByteBuffer.wrap(bytes), callback); // for HEAD, Jetty sends the length and drops the body
    }

    private static byte[] bytes(Object body) {
        try {
            return RideJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer that does not serialize: " + body.getClass(), e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
