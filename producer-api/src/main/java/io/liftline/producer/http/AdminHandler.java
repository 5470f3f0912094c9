package io.liftline.producer.http;

import io.liftline.broker.BrokerConnection;
import io.liftline.producer.metrics.ProducerMetrics;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The admin port's routes: {@code /health/live}, {@code /health/ready} and {@code /metrics}, never on the public port. */
public final class AdminHandler extends Handler.Abstract.NonBlocking {

    private final BrokerConnection broker;
    private final ProducerMetrics metrics;
    private final AtomicBoolean accepting = new AtomicBoolean(true);

    public AdminHandler(BrokerConnection broker, ProducerMetrics metrics) {
        this.broker = broker;
        this.metrics = metrics;
    }

    /** From now on readiness says DOWN, so load balancers stop sending; requests still in flight finish. */
    public void stopAccepting() {
        accepting.set(false);
    }

    /** Null while the producer can take rides; else why not (the body of a 503 from /health/ready). */
    public String notReadyReason() {
        return accepting.get() ? broker.unavailableReason() : "shutting down";
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
            if (reason == null) {
                Responses.json(response, callback, 200, Map.of("status", "UP"));
            } else {
                Responses.json(response, callback, 503, Map.of("status", "DOWN", "reason", reason));
            }
        }
        return true;
    }
}
