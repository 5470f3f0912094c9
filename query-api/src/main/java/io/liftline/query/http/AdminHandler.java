package io.liftline.query.http;

import io.liftline.query.QueryMetrics;
import io.liftline.query.mongo.StoreHealth;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The admin port's routes: {@code /health/live}, {@code /health/ready} (the store answers) and {@code /metrics}. */
public final class AdminHandler extends Handler.Abstract {

    private final StoreHealth store;
    private final QueryMetrics metrics;
    private final AtomicBoolean accepting = new AtomicBoolean(true);

    public AdminHandler(StoreHealth store, QueryMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    /** From now on readiness says DOWN, so load balancers stop sending; requests in flight finish. */
    public void stopAccepting() {
        accepting.set(false);
    }

    /** Null while the store answers reads; else why not (the body of a 503 from /health/ready). */
    public String notReadyReason() {
        return accepting.get() ? store.unavailableReason() : "shutting down";
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals("/health/live") && !path.equals("/health/ready") && !path.equals("/metrics")) {
            Responses.message(response, callback, 404, "no such resource: " + path
                    + " (the admin port serves GET /health/live, /health/ready and /metrics)");
        } else if (!request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            Responses.message(response, callback, 405, "method not allowed: use GET");
        } else if (path.equals("/metrics")) {
            Responses.text(response, callback, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        } else if (path.equals("/health/live")) {
            Responses.json(response, callback, 200, Map.of("status", "UP"));
        } else {
            String reason = notReadyReason();
            Responses.json(response, callback, reason == null ? 200 : 503,
                    reason == null ? Map.of("status", "UP") : Map.of("status", "DOWN", "reason", reason));
        }
        return true;
    }
}
