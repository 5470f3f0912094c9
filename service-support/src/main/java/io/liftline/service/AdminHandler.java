package io.liftline.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The admin port's routes: {@code /health/live}, {@code /health/ready} and {@code /metrics}, never on a public port.
 * Blocking: a service's readiness may ask its store, so Jetty runs it on a pool thread.
 */
public final class AdminHandler extends Handler.Abstract {

    private final Supplier<String> unavailableReason;
    private final ServiceMetrics metrics;
    private final AtomicBoolean accepting = new AtomicBoolean(true);

    /** @param unavailableReason null while the service can do its job, else why not */
    public AdminHandler(Supplier<String> unavailableReason, ServiceMetrics metrics) {
        this.unavailableReason = unavailableReason;
        this.metrics = metrics;
        metrics.readiness(this::notReadyReason);
    }

    /** From now on readiness says DOWN, so load balancers stop sending; requests still in flight finish. */
    public void stopAccepting() {
        accepting.set(false);
    }

    /** Null while ready; else why not (the body of a 503 from /health/ready, and liftline_ready 0). */
    public String notReadyReason() {
        return accepting.get() ? unavailableReason.get() : "shutting down";
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals("/health/live") && !path.equals("/health/ready") && !path.equals("/metrics")) {
            JsonResponses.message(
                    response,
                    callback,
                    404,
                    "no such resource: " + path
                            + " (the admin port serves GET /health/live, /health/ready and /metrics)");
        } else if (!request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            JsonResponses.message(response, callback, 405, "method not allowed: use GET");
        } else if (path.equals("/metrics")) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(metrics.scrape().getBytes(StandardCharsets.UTF_8)), callback);
        } else if (path.equals("/health/live")) {
            JsonResponses.json(response, callback, 200, Map.of("status", "UP"));
        } else {
            String reason = notReadyReason();
            JsonResponses.json(
                    response,
                    callback,
                    reason == null ? 200 : 503,
                    reason == null ? Map.of("status", "UP") : Map.of("status", "DOWN", "reason", reason));
        }
        return true;
    }
}
