package io.liftline.producer.http;

import io.liftline.model.InvalidRideException;
import io.liftline.model.LiftRide;
import io.liftline.producer.amqp.PublishException;
import io.liftline.producer.amqp.Publisher;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.producer.metrics.ProducerMetrics;
import io.liftline.service.JsonResponses;
import io.liftline.service.Routes;
import io.liftline.service.edge.ApiKeys;
import io.liftline.service.edge.Bodies;
import io.liftline.service.edge.Edge;
import io.liftline.service.edge.RateLimiting;
import io.liftline.service.edge.RateLimits;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's public API (docs/api.md): the Upic single POST and the batch POST, nothing else
 * (health and metrics are on the admin port, {@link io.liftline.service.AdminHandler}). A POST is answered 201 only after the
 * broker confirmed every ride in it; the request holds no thread while it waits for those confirms.
 */
public final class IngestHandler extends Handler.Abstract {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private enum Route {
        SINGLE,
        BATCH;

        /** The metric tag. */
        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private static final Routes<Route> ROUTES = new Routes<Route>(r -> r.tag, "POST")
            .add("/skiers/{resortID}/seasons/{seasonID}/days/{dayID}/skiers/{skierID}", Route.SINGLE)
            .add("/rides", Route.BATCH);

    private final ProducerConfig config;
    private final Publisher publisher;
    private final ProducerMetrics metrics;
    private final RideRequests requests;
    private final String retryAfterSeconds;
    private final Map<String, Long> lastFailureLog = new ConcurrentHashMap<>();
    private final RateLimits rateLimits;

    /**
     * Behind the shared edge ({@link #behind}), which checked the key, that the client has rides left, and read the
     * body.
     *
     * @param rateLimits the edge's limits, from which this takes each request's rides; null when there are none
     */
    public IngestHandler(
            ProducerConfig config,
            Publisher publisher,
            ProducerMetrics metrics,
            Supplier<String> newEventId,
            RateLimits rateLimits) {
        this.config = config;
        this.publisher = publisher;
        this.metrics = metrics;
        this.requests = new RideRequests(config.ranges(), config.maxBatchSize(), newEventId);
        this.retryAfterSeconds = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
        this.rateLimits = rateLimits;
    }

    /** This API behind the shared edge ({@link Edge#chain}): a JSON body of a ride or a batch on its two routes. */
    public Handler behind(Edge.Guard guard) {
        return Edge.chain(guard, ROUTES, metrics, this::bodyLimit, this);
    }

    /** A single ride's body is a few dozen bytes: accepting a batch-sized body there only invites abuse. */
    private int bodyLimit(Request request) {
        return ROUTES.takes(request, Route.BATCH)
                ? config.maxBodyBytes()
                : ROUTES.takes(request, Route.SINGLE) ? config.maxRideBodyBytes() : Bodies.IGNORED;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Routes.Match<Route> match = Routes.matched(request);
        try {
            if (!ROUTES.refused(match, request, response, callback)) {
                post(match, request, response, callback);
            }
        } catch (RuntimeException e) {
            log.error("unexpected failure answering {} {}", request.getMethod(), Request.getPathInContext(request), e);
            JsonResponses.message(response, callback, 500, "internal error");
        }
        return true;
    }

    /** A POST on a route, its body read whole by the edge. */
    private void post(Routes.Match<Route> match, Request request, Response response, Callback callback) {
        Instant receivedAt = Instant.now();
        Route route = match.route();
        List<String> keys = request.getHeaders().getValuesList(IDEMPOTENCY_KEY);
        if (keys.size() > 1 || (route == Route.BATCH && !keys.isEmpty())) {
            JsonResponses.message(
                    response,
                    callback,
                    400,
                    route == Route.BATCH
                            ? "Idempotency-Key is for single POSTs; a batch gives each ride an eventId field"
                            : "Idempotency-Key must be sent once, was sent " + keys.size() + " times");
            return;
        }
        byte[] body = Bodies.of(request);
        try {
            List<LiftRide> rides = route == Route.SINGLE
                    ? List.of(requests.single(match.values(), body, keys.isEmpty() ? null : keys.get(0), receivedAt))
                    : requests.batch(body, receivedAt);
            accept(route, Edge.client(request), Edge.rateKey(request), rides, response, callback);
        } catch (InvalidRideException e) {
            JsonResponses.message(response, callback, 400, e.getMessage());
        }
    }

    /** Valid rides: checked against the key's resorts and the client's rate, then published. */
    private void accept(
            Route route,
            ApiKeys.Client scanner,
            String client,
            List<LiftRide> rides,
            Response response,
            Callback callback) {
        for (int i = 0; scanner != null && i < rides.size(); i++) {
            if (!scanner.covers(rides.get(i).resortId())) {
                JsonResponses.message(
                        response,
                        callback,
                        403,
                        (route == Route.SINGLE ? "resortID " : "rides[" + i + "].resortID ")
                                + rides.get(i).resortId() + " is not covered by the API key of client " + scanner.name()
                                + (route == Route.SINGLE ? "" : "; nothing was published"));
                return;
            }
        }
        if (rateLimits != null) {
            if (rides.size() > rateLimits.burst()) {
                JsonResponses.message(
                        response,
                        callback,
                        400,
                        "batch has " + rides.size() + " rides, more than the " + rateLimits.burst()
                                + " a client may send at once (the rate limit's burst): split it");
                return;
            }
            long wait = rateLimits.take(client, rides.size());
            if (wait > 0) {
                RateLimiting.tooMany(response, callback, rateLimits, RateLimiting.Charge.RIDES, wait);
                return;
            }
        }
        List<String> eventIds = rides.stream().map(LiftRide::eventId).toList();
        // With keys, a ride is stored under <client>:<eventId>: one client cannot pre-empt another's ids.
        List<LiftRide> published = scanner == null
                ? rides
                : rides.stream().map(r -> r.ofClient(scanner.name())).toList();
        publish(
                published,
                eventIds,
                response,
                callback,
                route == Route.SINGLE
                        ? () -> Responses.created(response, callback, eventIds.get(0))
                        : () -> JsonResponses.json(response, callback, 201, Map.of("eventIds", eventIds)));
    }

    private void publish(
            List<LiftRide> rides, List<String> eventIds, Response response, Callback callback, Runnable created) {
        BiConsumer<Void, Throwable> answer = (ok, failure) -> {
            if (failure == null) {
                created.run();
                return;
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            String reason = cause instanceof PublishException p ? p.reason() : "error";
            metrics.publishFailed(reason);
            logFailure(reason, cause.getMessage());
            response.getHeaders().put(HttpHeader.RETRY_AFTER, retryAfterSeconds);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("message", "not stored, retry with the same event ids: " + cause.getMessage());
            // The ids the producer assigned too: a client that sent none can retry under them (Idempotency-Key,
            // or eventId in a batch), so a ride the broker took after all is not stored twice.
            body.put("eventIds", eventIds);
            JsonResponses.json(response, callback, 503, body);
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
}
