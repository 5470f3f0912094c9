package io.liftline.producer.http;

import io.liftline.broker.BrokerConnection;
import io.liftline.model.InvalidRideException;
import io.liftline.model.LiftRide;
import io.liftline.producer.amqp.PublishException;
import io.liftline.producer.amqp.Publisher;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.producer.metrics.ProducerMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's HTTP API (see CONTRACT.md): the Upic single POST, the batch POST, health and metrics.
 * A POST is answered 201 only after the broker confirmed every ride in it; the request holds no thread
 * while it waits for those confirms.
 */
public final class IngestHandler extends Handler.Abstract {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private enum Route {
        SINGLE, BATCH, LIVE, READY, METRICS, UNKNOWN;

        /** The metric tag. */
        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final ProducerConfig config;
    private final Publisher publisher;
    private final BrokerConnection broker;
    private final ProducerMetrics metrics;
    private final RideRequests requests;
    private final String retryAfterSeconds;
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private final Map<String, Long> lastFailureLog = new ConcurrentHashMap<>();
    private final ApiKeys apiKeys;

    /** @param apiKeys the scanners' keys, or null to take rides from anyone who reaches the port */
    public IngestHandler(ProducerConfig config, Publisher publisher, BrokerConnection broker, ProducerMetrics metrics,
                         Supplier<String> newEventId, ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
        this.config = config;
        this.publisher = publisher;
        this.broker = broker;
        this.metrics = metrics;
        this.requests = new RideRequests(config.ranges(), config.maxBatchSize(), newEventId);
        this.retryAfterSeconds = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
    }

    /** From now on readiness says DOWN, so load balancers stop sending; requests still in flight finish. */
    public void stopAccepting() {
        accepting.set(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = Request.getPathInContext(request);
        String[] pathIds = RideRequests.ridePathIds(path);
        Route route = pathIds != null ? Route.SINGLE : switch (path) {
            case "/rides" -> Route.BATCH;
            case "/health/live" -> Route.LIVE;
            case "/health/ready" -> Route.READY;
            case "/metrics" -> Route.METRICS;
            default -> Route.UNKNOWN;
        };
        Callback measured = Callback.from(callback, () -> metrics.request(route.tag, response.getStatus(),
                System.nanoTime() - start));
        try {
            dispatch(route, pathIds, request, response, measured);
        } catch (RuntimeException e) {
            log.error("unexpected failure answering {} {}", request.getMethod(), path, e);
            Responses.message(response, measured, 500, "internal error");
        }
        return true;
    }

    private void dispatch(Route route, String[] pathIds, Request request, Response response, Callback callback) {
        String method = request.getMethod();
        switch (route) {
            case UNKNOWN -> Responses.message(response, callback, 404, "no such resource: " + Request.getPathInContext(request)
                    + " (POST /skiers/{resortID}/seasons/{seasonID}/days/{dayID}/skiers/{skierID} or POST /rides)");
            case SINGLE, BATCH -> {
                if (!method.equals("POST")) {
                    methodNotAllowed(response, callback, "POST");
                } else {
                    readBody(route, pathIds, request, response, callback);
                }
            }
            case LIVE, READY, METRICS -> {
                if (!method.equals("GET")) {
                    methodNotAllowed(response, callback, "GET");
                } else if (route == Route.LIVE) {
                    Responses.json(response, callback, 200, Map.of("status", "UP"));
                } else if (route == Route.READY) {
                    ready(response, callback);
                } else {
                    Responses.text(response, callback, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                }
            }
        }
    }

    private void ready(Response response, Callback callback) {
        String reason = accepting.get() ? broker.unavailableReason() : "shutting down";
        if (reason == null) {
            Responses.json(response, callback, 200, Map.of("status", "UP"));
        } else {
            Responses.json(response, callback, 503, Map.of("status", "DOWN", "reason", reason));
        }
    }

    private static void methodNotAllowed(Response response, Callback callback, String allowed) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        Responses.message(response, callback, 405, "method not allowed: use " + allowed);
    }

    private void readBody(Route route, String[] pathIds, Request request, Response response, Callback callback) {
        ApiKeys.Client scanner = apiKeys == null ? null : apiKeys.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (apiKeys != null && scanner == null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"liftline\"");
            Responses.message(response, callback, 401, request.getHeaders().contains(HttpHeader.AUTHORIZATION)
                    ? "unknown API key" : "an API key is required: Authorization: Bearer <key>");
            return;
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!isJson(contentType)) {
            Responses.message(response, callback, 415, "Content-Type must be application/json, was "
                    + (contentType == null ? "absent" : "'" + contentType + "'"));
            return;
        }
        List<String> keys = request.getHeaders().getValuesList(IDEMPOTENCY_KEY);
        if (keys.size() > 1 || (route == Route.BATCH && !keys.isEmpty())) {
            Responses.message(response, callback, 400, route == Route.BATCH
                    ? "Idempotency-Key is for single POSTs; a batch gives each ride an eventId field"
                    : "Idempotency-Key must be sent once, was sent " + keys.size() + " times");
            return;
        }
        int max = config.maxBodyBytes();
        if (request.getLength() > max) {
            RefusedBody.discard(request, () -> tooLarge(response, callback));
            return;
        }
        Instant receivedAt = Instant.now();
        // BLOCKING: publishing may wait briefly for a pooled channel, so Jetty must not run this on a selector.
        Content.Source.asByteArrayAsync(request, max, Promise.Invocable.from(InvocationType.BLOCKING, (body, failure) -> {
            if (failure != null) {
                if (Request.getContentBytesRead(request) > max) { // a chunked body that outgrew the limit
                    RefusedBody.discard(request, () -> tooLarge(response, callback));
                } else {
                    Responses.message(response, callback, 400, "could not read the request body: " + failure.getMessage());
                }
                return;
            }
            String key = keys.isEmpty() ? null : keys.get(0);
            try {
                if (route == Route.SINGLE) {
                    LiftRide ride = requests.single(pathIds, body, key, receivedAt);
                    if (scanner != null && !scanner.covers(ride.resortId())) {
                        Responses.message(response, callback, 403, "resortID " + ride.resortId()
                                + " is not covered by the API key of client " + scanner.name());
                        return;
                    }
                    publish(List.of(ride), response, callback, () -> Responses.created(response, callback, ride.eventId()));
                } else {
                    List<LiftRide> rides = requests.batch(body, receivedAt);
                    for (int i = 0; scanner != null && i < rides.size(); i++) {
                        if (!scanner.covers(rides.get(i).resortId())) {
                            Responses.message(response, callback, 403, "rides[" + i + "].resortID " + rides.get(i).resortId()
                                    + " is not covered by the API key of client " + scanner.name() + "; nothing was published");
                            return;
                        }
                    }
                    publish(rides, response, callback, () -> Responses.json(response, callback, 201,
                            Map.of("eventIds", rides.stream().map(LiftRide::eventId).toList())));
                }
            } catch (InvalidRideException e) {
                Responses.message(response, callback, 400, e.getMessage());
            }
        }));
    }

    private void tooLarge(Response response, Callback callback) {
        Responses.message(response, callback, 413, "request body exceeds " + config.maxBodyBytes() + " bytes");
    }

    private void publish(List<LiftRide> rides, Response response, Callback callback, Runnable created) {
        BiConsumer<Void, Throwable> answer = (ok, failure) -> {
            if (failure == null) {
                created.run();
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            String reason = cause instanceof PublishException p ? p.reason() : "error";
            metrics.publishFailed(reason);
            logFailure(reason, cause.getMessage());
            response.getHeaders().put(HttpHeader.RETRY_AFTER, retryAfterSeconds);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("message", "not stored, retry with the same event ids: " + cause.getMessage());
            // The ids the producer assigned too: a client that sent none can retry under them (Idempotency-Key,
            // or eventId in a batch), so a ride the broker took after all is not stored twice.
            body.put("eventIds", rides.stream().map(LiftRide::eventId).toList());
            Responses.json(response, callback, 503, body);
        };
        CompletableFuture<Void> confirmed = publisher.publish(rides);
        if (confirmed.isDone()) {
            confirmed.whenComplete(answer); // refused at once (or a synchronous publisher): answer on this thread
        } else {
            // Confirms arrive on the broker connection's single thread; answering on Jetty's pool keeps that
            // thread free for confirms and spreads the response writes over the cores.
            confirmed.whenCompleteAsync(answer, getServer().getThreadPool());
        }
    }

    /** One log line per failure reason per ten seconds: an outage must not flood the log. */
    private void logFailure(String reason, String message) {
        long now = System.nanoTime();
        Long last = lastFailureLog.get(reason);
        if (last == null || now - last > FAILURE_LOG_INTERVAL_NANOS) {
            lastFailureLog.put(reason, now);
            log.warn("answering 503 ({}): {}", reason, message);
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }
}
