package io.liftline.query.http;

import com.mongodb.MongoException;
import io.liftline.model.RideRanges;
import io.liftline.query.config.QueryConfig;
import io.liftline.query.mongo.StoreHealth;
import io.liftline.service.JsonResponses;
import io.liftline.service.Routes;
import io.liftline.service.ServiceMetrics;
import io.liftline.service.edge.ApiKeys;
import io.liftline.service.edge.Edge;
import io.liftline.service.edge.RefusedBody;
import io.liftline.store.SummaryReader;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The read API: Upic's three read operations and Liftline's lift-hours and top-skiers, answered from the read model.
 * Blocking (each answer is a few lookups by _id), so Jetty runs it on a pool thread, never on a selector.
 */
public final class QueryHandler extends Handler.Abstract {

    static final int DEFAULT_TOP_LIMIT = 10;
    static final RideRanges.Range TOP_LIMIT = new RideRanges.Range(1, 100);

    /** The routes; each takes these query parameters and no others. */
    private enum Route {
        RESORT_DAY_SKIERS("resort-day-skiers", Set.of()),
        LIFT_HOURS("lift-hours", Set.of()),
        TOP_SKIERS_DAY("top-skiers", Set.of("limit")),
        TOP_SKIERS_SEASON("top-skiers", Set.of("limit")),
        SKIER_DAY_VERTICAL("skier-day-vertical", Set.of()),
        SKIER_VERTICAL("skier-vertical", Set.of("resort", "season"));

        /** The metric tag. */
        final String tag;

        final Set<String> parameters;

        Route(String tag, Set<String> parameters) {
            this.tag = tag;
            this.parameters = parameters;
        }
    }

    private static final Routes<Route> ROUTES = new Routes<Route>(r -> r.tag, "GET", "HEAD")
            .add("/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/skiers", Route.RESORT_DAY_SKIERS)
            .add("/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/lifts", Route.LIFT_HOURS)
            .add("/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/top-skiers", Route.TOP_SKIERS_DAY)
            .add("/resorts/{resortID}/seasons/{seasonID}/top-skiers", Route.TOP_SKIERS_SEASON)
            .add("/skiers/{resortID}/seasons/{seasonID}/days/{dayID}/skiers/{skierID}", Route.SKIER_DAY_VERTICAL)
            .add("/skiers/{skierID}/vertical", Route.SKIER_VERTICAL);

    private final SummaryReader queries;
    private final StoreHealth store;
    private final ServiceMetrics metrics;
    private final RideRanges ranges;
    private final Clock clock;
    private final QueryConfig config;

    public QueryHandler(
            QueryConfig config, SummaryReader queries, StoreHealth store, ServiceMetrics metrics, Clock clock) {
        this.config = config;
        this.queries = queries;
        this.store = store;
        this.metrics = metrics;
        this.ranges = config.ranges();
        this.clock = clock;
    }

    /** This API behind the shared edge ({@link Edge#chain}); it reads no request bodies. */
    public Handler behind(Edge.Guard guard) {
        return Edge.chain(guard, ROUTES, metrics, null, this);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Routes.Match<Route> match = Routes.matched(request);
        if (!ROUTES.refused(match, request, response, callback)) {
            // A GET rarely has a body, but one left unread would close the connection under its client.
            RefusedBody.discard(request, () -> answer(match, request, response, callback));
        }
        return true;
    }

    private void answer(Routes.Match<Route> match, Request request, Response response, Callback callback) {
        Route route = match.route();
        Map<String, String> path = match.values();
        Problems problems = new Problems();
        Fields query = Request.extractQueryParameters(request);
        for (String name : query.getNames()) {
            if (!route.parameters.contains(name)) {
                problems.add("unknown query parameter '" + name + "'"
                        + (route.parameters.isEmpty()
                                ? ": this route takes none"
                                : ", expected " + new TreeSet<>(route.parameters)));
            } else if (query.getValues(name).size() > 1) {
                problems.add("query parameter '" + name + "' must be given once");
            }
        }
        ApiKeys.Client client = Edge.client(request);
        String asked = route == Route.SKIER_VERTICAL ? query.getValue("resort") : path.get(RideRanges.RESORT_ID);
        // An id that is no id gets its 400 below first, as on the ingest API; a valid one outside the key, 403.
        RideRanges.TextId resortAsked = asked == null ? null : ranges.textId(asked, RideRanges.RESORT_ID, "");
        if (client != null && resortAsked != null && resortAsked.valid() && !client.covers(resortAsked.value())) {
            JsonResponses.message(
                    response,
                    callback,
                    403,
                    "resortID " + resortAsked.value() + " is not covered by the API key of client " + client.name());
            return;
        }
        // Every input checked before any read, each where the route has it, so that one 400 names every problem: the
        // path's ids in the path's order, then the query's parameters.
        Integer resort = path.containsKey(RideRanges.RESORT_ID) ? problems.inPath(path, RideRanges.RESORT_ID) : null;
        String season = path.containsKey(RideRanges.SEASON_ID) ? problems.seasonInPath(path) : null;
        Integer day = path.containsKey(RideRanges.DAY_ID) ? problems.inPath(path, RideRanges.DAY_ID) : null;
        Integer skier = path.containsKey(RideRanges.SKIER_ID) ? problems.inPath(path, RideRanges.SKIER_ID) : null;
        String limitText = route.parameters.contains("limit") ? query.getValue("limit") : null;
        int limit = limitText == null ? DEFAULT_TOP_LIMIT : problems.integer(limitText, "limit", TOP_LIMIT);
        if (route == Route.SKIER_VERTICAL) { // the resort (required) and season are query parameters here
            String resortText = query.getValue("resort");
            if (resortText == null) {
                problems.add("query parameter 'resort' is required (the resortID)");
            } else {
                resort = problems.id(resortText, RideRanges.RESORT_ID, "(query parameter 'resort')");
            }
            String seasonText = query.getValue("season");
            season = seasonText == null ? null : problems.season(seasonText, "(query parameter 'season')");
        }
        if (problems.any()) {
            JsonResponses.message(response, callback, 400, problems.message());
            return;
        }
        Answer answer;
        try {
            answer = switch (route) {
                case RESORT_DAY_SKIERS ->
                    new Answer(
                            ordered(
                                    "resort",
                                    path.get(RideRanges.RESORT_ID),
                                    "numSkiers",
                                    queries.uniqueSkiers(resort, season, day)),
                            isPast(season, day));
                case LIFT_HOURS ->
                    new Answer(
                            ordered(
                                    "resort",
                                    path.get(RideRanges.RESORT_ID),
                                    "seasonID",
                                    season,
                                    "dayID",
                                    day,
                                    "lifts",
                                    queries.liftHours(resort, season, day).stream()
                                            .map(h ->
                                                    ordered("liftID", h.liftId(), "hour", h.hour(), "rides", h.rides()))
                                            .toList()),
                            isPast(season, day));
                case TOP_SKIERS_DAY, TOP_SKIERS_SEASON -> {
                    List<Map<String, Object>> skiers = new ArrayList<>();
                    for (SummaryReader.SkierTotals s : queries.topSkiers(resort, season, day, limit)) {
                        skiers.add(ordered(
                                "rank",
                                skiers.size() + 1,
                                "skierID",
                                s.skierId(),
                                "rides",
                                s.rides(),
                                "totalVert",
                                s.vertical()));
                    }
                    Map<String, Object> body = ordered("resort", path.get(RideRanges.RESORT_ID), "seasonID", season);
                    if (day != null) {
                        body.put("dayID", day);
                    }
                    body.put("skiers", skiers);
                    yield new Answer(body, day == null ? isPastSeason(season) : isPast(season, day));
                }
                case SKIER_DAY_VERTICAL ->
                    new Answer(queries.skierDay(resort, season, day, skier).vertical(), isPast(season, day));
                case SKIER_VERTICAL ->
                    new Answer(
                            ordered(
                                    "resorts",
                                    queries.skierSeasons(skier, resort, season).stream()
                                            .map(s -> ordered("seasonID", s.seasonId(), "totalVert", s.vertical()))
                                            .toList()),
                            season != null && isPastSeason(season));
            };
        } catch (MongoException e) {
            store.queryFailed(e);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            JsonResponses.message(response, callback, 503, "the ride store did not answer; retry shortly");
            return;
        }
        store.querySucceeded();
        Responses.answer(
                request,
                response,
                callback,
                answer.body(),
                answer.past() ? "public, max-age=" + config.cacheMaxAge().toSeconds() : null);
    }

    /** An answer and whether it is about a day that is over (so it may be cached and given an ETag). */
    private record Answer(Object body, boolean past) {}

    /** Whether the season's day (dayID 1 is January 1 of the season's year) is before today where the resort is. */
    private boolean isPast(String season, int day) {
        return LocalDate.of(Integer.parseInt(season), 1, 1)
                .plusDays(day - 1L)
                .isBefore(LocalDate.now(clock.withZone(config.timeZone())));
    }

    private boolean isPastSeason(String season) {
        return Integer.parseInt(season)
                < LocalDate.now(clock.withZone(config.timeZone())).getYear();
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** The request's problems, each naming the field and the rule; all of them go into one 400. */
    private final class Problems {
        private final List<String> messages = new ArrayList<>();

        void add(String message) {
            messages.add(message);
        }

        boolean any() {
            return !messages.isEmpty();
        }

        String message() {
            return String.join("; ", messages);
        }

        int inPath(Map<String, String> path, String field) {
            return id(path.get(field), field, "in the path");
        }

        /** An id read as every API reads one ({@link RideRanges#textId}). */
        int id(String text, String field, String where) {
            return valueOf(ranges.textId(text, field, where));
        }

        private int valueOf(RideRanges.TextId id) {
            if (!id.valid()) {
                add(id.problem());
            }
            return id.value();
        }

        String seasonInPath(Map<String, String> path) {
            return season(path.get(RideRanges.SEASON_ID), "in the path");
        }

        int integer(String text, String field, RideRanges.Range range) {
            return valueOf(RideRanges.textInt(text, field, range, ""));
        }

        String season(String text, String where) {
            RideRanges.TextId season = ranges.textSeason(text, where);
            if (!season.valid()) {
                add(season.problem());
                return "2000";
            }
            return text;
        }
    }
}
