package io.liftline.query.http;

import com.mongodb.MongoException;
import io.liftline.model.RideRanges;
import io.liftline.query.config.QueryConfig;
import io.liftline.query.mongo.StoreHealth;
import io.liftline.service.JsonResponses;
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
import java.util.regex.Pattern;
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

    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,9}");
    private static final Pattern YEAR = Pattern.compile("\\d{4}");
    static final int DEFAULT_TOP_LIMIT = 10;
    static final RideRanges.Range TOP_LIMIT = new RideRanges.Range(1, 100);

    private static final String ROUTES = "GET /resorts/{resortID}/seasons/{seasonID}/day/{dayID}/skiers, "
            + "/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/lifts, /resorts/{resortID}/seasons/{seasonID}[/day/{dayID}]/top-skiers, "
            + "/skiers/{resortID}/seasons/{seasonID}/days/{dayID}/skiers/{skierID}, /skiers/{skierID}/vertical?resort=R";

    /** The routes; {@code {x}} segments are the path's values, handed to the route in order. */
    private enum Route {
        RESORT_DAY_SKIERS("resort-day-skiers", "resorts/{}/seasons/{}/day/{}/skiers", Set.of()),
        LIFT_HOURS("lift-hours", "resorts/{}/seasons/{}/day/{}/lifts", Set.of()),
        TOP_SKIERS_DAY("top-skiers", "resorts/{}/seasons/{}/day/{}/top-skiers", Set.of("limit")),
        TOP_SKIERS_SEASON("top-skiers", "resorts/{}/seasons/{}/top-skiers", Set.of("limit")),
        SKIER_DAY_VERTICAL("skier-day-vertical", "skiers/{}/seasons/{}/days/{}/skiers/{}", Set.of()),
        SKIER_VERTICAL("skier-vertical", "skiers/{}/vertical", Set.of("resort", "season"));

        final String tag;
        final String[] segments;
        final Set<String> parameters;

        Route(String tag, String pattern, Set<String> parameters) {
            this.tag = tag;
            this.segments = pattern.split("/");
            this.parameters = parameters;
        }

        /** The path's values for this route, or null when the path is not this route's. */
        List<String> match(String[] path) {
            if (path.length != segments.length) {
                return null;
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < segments.length; i++) {
                if (segments[i].equals("{}")) {
                    values.add(path[i]);
                } else if (!segments[i].equals(path[i])) {
                    return null;
                }
            }
            return values;
        }
    }

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

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = Request.getPathInContext(request);
        String[] segments = path.length() > 1 ? path.substring(1).split("/", -1) : new String[0];
        Route route = null;
        List<String> values = null;
        for (Route r : Route.values()) {
            values = r.match(segments);
            if (values != null) {
                route = r;
                break;
            }
        }
        String tag = route == null ? "unknown" : route.tag;
        Callback measured =
                Callback.from(callback, () -> metrics.request(tag, response.getStatus(), System.nanoTime() - start));
        if (route == null) {
            RefusedBody.answer(request, response, measured, 404, "no such resource: " + path + " (" + ROUTES + ")");
        } else if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            RefusedBody.answer(request, response, measured, 405, "method not allowed: use GET");
        } else {
            Route matched = route;
            List<String> ids = values;
            // A GET rarely has a body, but one left unread would close the connection under its client.
            RefusedBody.discard(request, () -> answer(matched, ids, request, response, measured));
        }
        return true;
    }

    private void answer(Route route, List<String> path, Request request, Response response, Callback callback) {
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
        String asked = route == Route.SKIER_VERTICAL ? query.getValue("resort") : path.get(0);
        // An id that is no id gets its 400 below first, as on the ingest API; a valid one outside the key, 403.
        if (client != null
                && asked != null
                && INTEGER.matcher(asked).matches()
                && ranges.range(RideRanges.RESORT_ID).contains(Integer.parseInt(asked))
                && !client.covers(Integer.parseInt(asked))) {
            JsonResponses.message(
                    response,
                    callback,
                    403,
                    "resortID " + Integer.parseInt(asked) + " is not covered by the API key of client "
                            + client.name());
            return;
        }
        Answer answer;
        try {
            answer = switch (route) {
                case RESORT_DAY_SKIERS -> {
                    int resort = problems.id(path.get(0), RideRanges.RESORT_ID, "in the path");
                    String season = problems.season(path.get(1), "in the path");
                    int day = problems.id(path.get(2), RideRanges.DAY_ID, "in the path");
                    yield problems.any()
                            ? null
                            : new Answer(
                                    ordered(
                                            "resort",
                                            path.get(0),
                                            "numSkiers",
                                            queries.uniqueSkiers(resort, season, day)),
                                    isPast(season, day));
                }
                case LIFT_HOURS -> {
                    int resort = problems.id(path.get(0), RideRanges.RESORT_ID, "in the path");
                    String season = problems.season(path.get(1), "in the path");
                    int day = problems.id(path.get(2), RideRanges.DAY_ID, "in the path");
                    yield problems.any()
                            ? null
                            : new Answer(
                                    ordered(
                                            "resort",
                                            path.get(0),
                                            "seasonID",
                                            season,
                                            "dayID",
                                            day,
                                            "lifts",
                                            queries.liftHours(resort, season, day).stream()
                                                    .map(h -> ordered(
                                                            "liftID", h.liftId(), "hour", h.hour(), "rides", h.rides()))
                                                    .toList()),
                                    isPast(season, day));
                }
                case TOP_SKIERS_DAY, TOP_SKIERS_SEASON -> {
                    int resort = problems.id(path.get(0), RideRanges.RESORT_ID, "in the path");
                    String season = problems.season(path.get(1), "in the path");
                    Integer day = route == Route.TOP_SKIERS_DAY
                            ? problems.id(path.get(2), RideRanges.DAY_ID, "in the path")
                            : null;
                    String limitText = query.getValue("limit");
                    int limit =
                            limitText == null ? DEFAULT_TOP_LIMIT : problems.integer(limitText, "limit", TOP_LIMIT, "");
                    if (problems.any()) {
                        yield null;
                    }
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
                    Map<String, Object> body = ordered("resort", path.get(0), "seasonID", season);
                    if (day != null) {
                        body.put("dayID", day);
                    }
                    body.put("skiers", skiers);
                    yield new Answer(body, day == null ? isPastSeason(season) : isPast(season, day));
                }
                case SKIER_DAY_VERTICAL -> {
                    int resort = problems.id(path.get(0), RideRanges.RESORT_ID, "in the path");
                    String season = problems.season(path.get(1), "in the path");
                    int day = problems.id(path.get(2), RideRanges.DAY_ID, "in the path");
                    int skier = problems.id(path.get(3), RideRanges.SKIER_ID, "in the path");
                    yield problems.any()
                            ? null
                            : new Answer(
                                    queries.skierDay(resort, season, day, skier).vertical(), isPast(season, day));
                }
                case SKIER_VERTICAL -> {
                    int skier = problems.id(path.get(0), RideRanges.SKIER_ID, "in the path");
                    String resortText = query.getValue("resort");
                    Integer resort = null;
                    if (resortText == null) {
                        problems.add("query parameter 'resort' is required (the resortID)");
                    } else {
                        resort = problems.id(resortText, RideRanges.RESORT_ID, "(query parameter 'resort')");
                    }
                    String seasonText = query.getValue("season");
                    String season =
                            seasonText == null ? null : problems.season(seasonText, "(query parameter 'season')");
                    if (problems.any()) {
                        yield null;
                    }
                    List<Map<String, Object>> seasons = queries.skierSeasons(skier, resort, season).stream()
                            .map(s -> ordered("seasonID", s.seasonId(), "totalVert", s.vertical()))
                            .toList();
                    yield new Answer(ordered("resorts", seasons), season != null && isPastSeason(season));
                }
            };
        } catch (MongoException e) {
            store.queryFailed(e);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            JsonResponses.message(response, callback, 503, "the ride store did not answer; retry shortly");
            return;
        }
        if (answer == null) {
            JsonResponses.message(response, callback, 400, problems.message());
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

        int id(String text, String field, String where) {
            return integer(text, field, ranges.range(field), where);
        }

        int integer(String text, String field, RideRanges.Range range, String where) {
            String place = where.isEmpty() ? "" : " " + where;
            if (!INTEGER.matcher(text).matches()) {
                add(field + place + " must be an integer, was '" + abbreviate(text) + "'");
                return 0;
            }
            int value = Integer.parseInt(text);
            if (!range.contains(value)) {
                add(field + place + " must be in " + range + ", was " + value);
            }
            return value;
        }

        String season(String text, String where) {
            RideRanges.Range range = ranges.range(RideRanges.SEASON_ID);
            if (!YEAR.matcher(text).matches() || !range.contains(Integer.parseInt(text))) {
                add(RideRanges.SEASON_ID + " " + where + " must be a year in " + range + ", was '" + abbreviate(text)
                        + "'");
                return "2000";
            }
            return text;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }
}
