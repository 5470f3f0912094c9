package io.liftline.service.edge;

import io.liftline.service.JsonResponses;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Holds each client to its rate (per API key, per address when the service is open): 429 with the real wait in
 * {@code Retry-After}. A refused request costs nothing: its body is thrown away unread.
 */
public final class RateLimiting extends Handler.Wrapper {

    /** What a request costs. */
    public enum Charge {
        /**
         * A request per request (the read API). Taken here.
         */
        REQUEST("request"),
        /**
         * A ride per ride (the ingest API): a batch costs its rides, known only once its body is read, so here a
         * client with nothing left is refused before the body is read, and the handler takes the rides.
         */
        RIDES("ride");

        /** What one unit is called; the 429's message adds an s for more. */
        private final String unit;

        Charge(String unit) {
            this.unit = unit;
        }
    }

    private final RateLimits limits;
    private final Charge charge;

    public RateLimiting(RateLimits limits, Charge charge, Handler next) {
        super(next);
        this.limits = limits;
        this.charge = charge;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String key = Edge.rateKey(request);
        long wait = charge == Charge.REQUEST ? limits.take(key, 1) : limits.secondsUntilOneRide(key);
        if (wait > 0) {
            RefusedBody.discard(request, () -> tooMany(response, callback, limits, charge, wait));
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** The 429: {@code Retry-After} the seconds until the client may go on, and the rule it met. */
    public static void tooMany(
            Response response, Callback callback, RateLimits limits, Charge charge, long retryAfter) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(retryAfter));
        JsonResponses.message(
                response,
                callback,
                429,
                "rate limit: at most " + Edge.number(limits.rate())
                        + " " + charge.unit + (limits.rate() == 1 ? "" : "s") + " per second per client"
                        + " (bursts of " + limits.burst() + "); retry in " + retryAfter + " s");
    }
}
