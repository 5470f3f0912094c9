package io.liftline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.model.LiftRide;
import io.liftline.query.config.QueryConfig;
import io.liftline.runtime.Values;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.Poll;
import io.liftline.testing.TcpProxy;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read API against a known set of rides, stored by the worker's own writer: every answer is compared with a
 * value computed here, from the rides in memory, by other code than the store's aggregations.
 */
class QueryApiIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** "Today" for the API: February 10, 2025, day 41 of season 2025. */
    private static final Clock TODAY = Clock.fixed(Instant.parse("2025-02-10T12:00:00Z"), ZoneOffset.UTC);

    private static final int TODAY_DAY = 41;
    private static final List<Integer> RESORTS = List.of(1, 2, 3); // resort 3 has no rides
    private static final List<String> SEASONS = List.of("2024", "2025");
    private static final List<Integer> DAYS = List.of(1, 2, 40, TODAY_DAY, 100); // day 100 has no rides
    private static final int SKIERS = 60;

    private static final List<LiftRide> rides = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static QueryApp app;

    @BeforeAll
    static void storeKnownRidesAndStart() throws Exception {
        Random random = new Random(16);
        for (int i = 0; i < 4_000; i++) {
            int day = DAYS.get(random.nextInt(DAYS.size() - 1));
            rides.add(new LiftRide(
                    "q-" + i,
                    RESORTS.get(random.nextInt(2)),
                    SEASONS.get(random.nextInt(2)),
                    day,
                    1 + random.nextInt(SKIERS),
                    1 + random.nextInt(360),
                    1 + random.nextInt(40),
                    Instant.now()));
        }
        RideStore store = new RideStore(mongo.client(), mongo.databaseName());
        SummaryWriter summaries = new SummaryWriter(new Summaries(mongo.database()));
        for (int from = 0; from < rides.size(); from += 500) { // as a worker stores and counts them
            assertThat(store.insert(rides.subList(from, from + 500)).inserted()).isEqualTo(500);
            summaries.apply(rides.subList(from, from + 500));
        }
        app = QueryApp.start(config(mongo.uri()), TODAY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void numSkiersIsTheDistinctSkiersOfEachResortDay() throws Exception {
        for (int resort : RESORTS) {
            for (String season : SEASONS) {
                for (int day : DAYS) {
                    long expected =
                            matching(r -> r.resortId() == resort && r.seasonId().equals(season) && r.dayId() == day)
                                    .stream()
                                    .map(LiftRide::skierId)
                                    .distinct()
                                    .count();
                    JsonNode answer = getJson("/resorts/" + resort + "/seasons/" + season + "/day/" + day + "/skiers");
                    assertThat(answer)
                            .isEqualTo(tree(ordered("resort", Integer.toString(resort), "numSkiers", expected)));
                }
            }
        }
    }

    @Test
    void skierDayVerticalIsABareIntegerSummedOverTheDaysRides() throws Exception {
        int nonZero = 0;
        for (int resort : RESORTS) {
            for (String season : SEASONS) {
                for (int day : DAYS) {
                    for (int skier = 1; skier <= SKIERS + 1; skier++) {
                        int s = skier;
                        long expected = matching(r -> r.resortId() == resort
                                        && r.seasonId().equals(season)
                                        && r.dayId() == day
                                        && r.skierId() == s)
                                .stream()
                                .mapToLong(r -> r.liftId() * 10L)
                                .sum();
                        HttpResponse<String> response =
                                get("/skiers/" + resort + "/seasons/" + season + "/days/" + day + "/skiers/" + skier);
                        assertThat(response.statusCode()).isEqualTo(200);
                        assertThat(response.body())
                                .as("skier %d at %d/%s/%d", skier, resort, season, day)
                                .isEqualTo(Long.toString(expected));
                        nonZero += expected > 0 ? 1 : 0;
                    }
                }
            }
        }
        assertThat(nonZero).as("the fixture gives most skier-days rides").isGreaterThan(500);
    }

    @Test
    void verticalListsEachSeasonAtTheResortOrOnlyTheSeasonAsked() throws Exception {
        for (int skier = 1; skier <= SKIERS + 1; skier++) {
            for (int resort : RESORTS) {
                int s = skier;
                Map<String, Long> perSeason =
                        new TreeMap<>(matching(r -> r.skierId() == s && r.resortId() == resort).stream()
                                .collect(Collectors.groupingBy(
                                        LiftRide::seasonId, Collectors.summingLong(r -> r.liftId() * 10L))));
                List<Object> all = new ArrayList<>();
                perSeason.forEach((season, vertical) -> all.add(ordered("seasonID", season, "totalVert", vertical)));
                assertThat(getJson("/skiers/" + skier + "/vertical?resort=" + resort))
                        .isEqualTo(tree(ordered("resorts", all)));
                for (String season : SEASONS) {
                    List<Object> one = perSeason.containsKey(season)
                            ? List.of(ordered("seasonID", season, "totalVert", perSeason.get(season)))
                            : List.of();
                    assertThat(getJson("/skiers/" + skier + "/vertical?resort=" + resort + "&season=" + season))
                            .isEqualTo(tree(ordered("resorts", one)));
                }
            }
        }
    }

    @Test
    void liftsCountRidesPerLiftPerHourOfTheSkiDay() throws Exception {
        for (int resort : RESORTS) {
            for (String season : SEASONS) {
                for (int day : DAYS) {
                    Map<Integer, Map<Integer, Long>> counts = new TreeMap<>();
                    for (LiftRide r :
                            matching(r -> r.resortId() == resort && r.seasonId().equals(season) && r.dayId() == day)) {
                        counts.computeIfAbsent(r.liftId(), l -> new TreeMap<>())
                                .merge((r.time() - 1) / 60, 1L, Long::sum);
                    }
                    List<Object> lifts = new ArrayList<>();
                    counts.forEach((lift, hours) ->
                            hours.forEach((hour, n) -> lifts.add(ordered("liftID", lift, "hour", hour, "rides", n))));
                    assertThat(getJson("/resorts/" + resort + "/seasons/" + season + "/day/" + day + "/lifts"))
                            .isEqualTo(aboutTheDay(resort, season, day, "lifts", lifts));
                }
            }
        }
    }

    @Test
    void topSkiersRankBySeasonOrDayVerticalWithTiesBySkierId() throws Exception {
        for (int resort : RESORTS) {
            for (String season : SEASONS) {
                assertThat(getJson("/resorts/" + resort + "/seasons/" + season + "/top-skiers?limit=7"))
                        .isEqualTo(tree(ordered(
                                "resort",
                                Integer.toString(resort),
                                "seasonID",
                                season,
                                "skiers",
                                top(r -> r.resortId() == resort && r.seasonId().equals(season), 7))));
                for (int day : DAYS) {
                    assertThat(getJson("/resorts/" + resort + "/seasons/" + season + "/day/" + day + "/top-skiers"))
                            .isEqualTo(aboutTheDay(
                                    resort,
                                    season,
                                    day,
                                    "skiers",
                                    top(
                                            r -> r.resortId() == resort
                                                    && r.seasonId().equals(season)
                                                    && r.dayId() == day,
                                            10)));
                }
            }
        }
        assertThat(getJson("/resorts/1/seasons/2025/top-skiers?limit=100")
                        .path("skiers")
                        .size())
                .isEqualTo(SKIERS);
    }

    @Test
    void badInputIs400NamingTheFieldAndTheRule() throws Exception {
        String[][] pathAndProblem = {
            {"/resorts/abc/seasons/2025/day/1/skiers", "resortID in the path must be an integer, was 'abc'"},
            {"/resorts/11/seasons/2025/day/1/skiers", "resortID in the path must be in 1..10, was 11"},
            {"/resorts/1/seasons/25/day/1/skiers", "seasonID in the path must be a year in 2000..2100, was '25'"},
            {"/resorts/1/seasons/2025/day/367/lifts", "dayID in the path must be in 1..366, was 367"},
            {"/skiers/1/seasons/2025/days/1/skiers/0", "skierID in the path must be in 1..100000, was 0"},
            {"/skiers/7/vertical", "query parameter 'resort' is required"},
            {"/skiers/7/vertical?resort=x", "resortID (query parameter 'resort') must be an integer, was 'x'"},
            {"/skiers/7/vertical?resort=1&resort=2", "query parameter 'resort' must be given once"},
            {"/skiers/7/vertical?resort=1&season=99", "seasonID (query parameter 'season') must be a year in 2000.."},
            {"/skiers/7/vertical?resort=1&seson=2025", "unknown query parameter 'seson', expected [resort, season]"},
            {"/resorts/1/seasons/2025/top-skiers?limit=0", "limit must be in 1..100, was 0"},
            {"/resorts/1/seasons/2025/top-skiers?limit=many", "limit must be an integer, was 'many'"}
        };
        for (String[] bad : pathAndProblem) {
            assertError(bad[0], 400, bad[1]);
        }
        HttpResponse<String> both = get("/resorts/0/seasons/1/day/0/skiers");
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(both.body()).contains("resortID").contains("seasonID").contains("dayID");
        // the path's problems and the query's, in one answer, the path's first
        assertThat(get("/resorts/0/seasons/2025/top-skiers?limit=0").body())
                .containsPattern("resortID in the path must be in 1..10, was 0.*limit must be in 1..100, was 0");
        assertThat(get("/skiers/0/vertical?resort=x").body())
                .containsPattern("skierID in the path .*resortID \\(query parameter 'resort'\\) must be an integer");
    }

    @Test
    void unknownRoutesAre404AndOtherMethods405AlwaysAsJson() throws Exception {
        assertError("/resorts/1/seasons/2025/day/1", 404, "no such resource: /resorts/1/seasons/2025/day/1");
        assertError("/", 404, "no such resource");
        assertError("/skiers/7/vertical/", 404, "no such resource");
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(uri("/skiers/1/seasons/2025/days/1/skiers/7"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(JSON.readTree(post.body()).path("message").asText()).isEqualTo("method not allowed: use GET");
        try (Socket socket = new Socket("127.0.0.1", app.port())) { // a path no HTTP client library would send
            socket.getOutputStream()
                    .write("GET /resorts/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(raw)
                    .startsWith("HTTP/1.1 400")
                    .contains("application/json")
                    .contains("{\"message\":");
        }
    }

    @Test
    void aRefusedRequestWhoseBodyComesLateKeepsItsConnection() throws Exception {
        // Answered before its body arrived, a request left the connection unreusable and Jetty closed it
        // without saying so, under a client that had pooled it.
        for (String requestLine : List.of(
                "POST /resorts/1/seasons/2025/day/40/skiers",
                "POST /nowhere",
                "GET /resorts/1/seasons/2025/day/40/skiers")) {
            try (Socket socket = new Socket("127.0.0.1", app.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write((requestLine + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(200); // not a wait for a condition: the gap between headers and body this test is about
                out.write("{}GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(raw).as(requestLine).contains("no such resource: /second");
            }
        }
    }

    @Test
    void headAnswersWithGetsHeadersAndNoBody() throws Exception {
        HttpResponse<String> got = get("/resorts/1/seasons/2025/day/40/skiers");
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.getOutputStream()
                    .write(("HEAD /resorts/1/seasons/2025/day/40/skiers HTTP/1.1\r\nHost: liftline\r\n"
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(raw)
                    .startsWith("HTTP/1.1 200")
                    .endsWith("\r\n\r\n")
                    .as("no body after the headers")
                    .containsIgnoringCase(
                            "Content-Length: " + got.body().getBytes(StandardCharsets.UTF_8).length + "\r\n")
                    .containsIgnoringCase(
                            "ETag: " + got.headers().firstValue("ETag").orElseThrow() + "\r\n")
                    .containsIgnoringCase("Cache-Control: public, max-age=3600\r\n");
        }
    }

    @Test
    void pastDaysCarryAnETagAndCacheControlAndTodayIsNeverCached() throws Exception {
        HttpResponse<String> past = get("/resorts/1/seasons/2025/day/40/skiers");
        assertThat(past.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
        String etag = past.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        HttpResponse<String> again = http.send(
                HttpRequest.newBuilder(uri("/resorts/1/seasons/2025/day/40/skiers"))
                        .header("If-None-Match", etag)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        HttpResponse<String> otherDay = http.send(
                HttpRequest.newBuilder(uri("/resorts/1/seasons/2025/day/2/skiers"))
                        .header("If-None-Match", etag)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(otherDay.statusCode()).as("another answer, another tag").isEqualTo(200);

        for (String today : List.of(
                "/resorts/1/seasons/2025/day/" + TODAY_DAY + "/skiers",
                "/skiers/1/seasons/2025/days/" + TODAY_DAY + "/skiers/5",
                "/resorts/1/seasons/2025/day/100/lifts",
                "/resorts/1/seasons/2025/top-skiers",
                "/skiers/5/vertical?resort=1")) {
            HttpResponse<String> response = get(today);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Cache-Control")).as(today).hasValue("no-store");
            assertThat(response.headers().firstValue("ETag")).as(today).isEmpty();
        }
        assertThat(get("/skiers/5/vertical?resort=1&season=2024").headers().firstValue("ETag"))
                .as("a past season")
                .isPresent();
        assertThat(get("/resorts/1/seasons/2024/top-skiers").headers().firstValue("Cache-Control"))
                .hasValue("public, max-age=3600");
    }

    @Test
    void aStoreThatIsDownOrHungGets503AndNotReadyThenAnswersAgain() throws Exception {
        URI store = URI.create(mongo.uri());
        try (TcpProxy proxy = new TcpProxy(store.getHost(), store.getPort());
                QueryApp proxied = QueryApp.start(config("mongodb://127.0.0.1:" + proxy.port()), TODAY)) {
            String path = "/resorts/1/seasons/2025/day/40/skiers";
            JsonNode expected = getJson(path);
            Poll.waitAtMost(
                    Duration.ofSeconds(20),
                    "ready",
                    () -> get(proxied.adminPort(), "/health/ready").statusCode() == 200);
            assertThat(JSON.readTree(get(proxied.port(), path).body())).isEqualTo(expected);

            proxy.cut();
            HttpResponse<String> down = get(proxied.port(), path);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JSON.readTree(down.body()).path("message").asText())
                    .isEqualTo("the ride store did not answer; retry shortly");
            HttpResponse<String> notReady = get(proxied.adminPort(), "/health/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(notReady.body()).path("status").asText()).isEqualTo("DOWN");

            proxy.restore();
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "answers after the store returned",
                    () -> get(proxied.port(), path).statusCode() == 200);
            assertThat(JSON.readTree(get(proxied.port(), path).body())).isEqualTo(expected);

            proxy.blackHole();
            long start = System.nanoTime();
            HttpResponse<String> hung = get(proxied.port(), path);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(hung.statusCode())
                    .as("a hung store gets a 503 after the query timeout, not a hang")
                    .isEqualTo(503);
            assertThat(waitedMillis).isLessThan(15_000);
            assertThat(get(proxied.adminPort(), "/health/ready").statusCode()).isEqualTo(503);

            proxy.restore();
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "answers after the hang",
                    () -> get(proxied.port(), path).statusCode() == 200);
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "ready again",
                    () -> get(proxied.adminPort(), "/health/ready").statusCode() == 200);
            assertThat(get(proxied.adminPort(), "/metrics").body())
                    .contains("liftline_http_requests_seconds_count{route=\"resort-day-skiers\",status=\"503\"}");
        }
    }

    @Test
    void healthAndMetricsAreOnTheAdminPortOnly() throws Exception {
        assertThat(get(app.adminPort(), "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(app.adminPort(), "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(app.adminPort(), "/metrics").body()).contains("liftline_http_requests_seconds");
        assertThat(get(app.port(), "/metrics").statusCode()).isEqualTo(404);
        assertThat(get(app.port(), "/health/ready").statusCode()).isEqualTo(404);
    }

    // --- helpers

    private static QueryConfig config(String mongodbUri) {
        return QueryConfig.of(Values.defaults()
                .set(QueryConfig.MONGODB_URI, mongodbUri)
                .set(QueryConfig.MONGODB_DATABASE, mongo.databaseName())
                .set(EdgeSettings.BIND_ADDRESS, "127.0.0.1")
                .set(QueryConfig.HTTP_PORT, 0)
                .set(EdgeSettings.ADMIN_BIND_ADDRESS, "127.0.0.1")
                .set(QueryConfig.ADMIN_PORT, 0)
                .set(QueryConfig.QUERY_TIMEOUT, Duration.ofSeconds(2))
                .set(QueryConfig.TIME_ZONE, ZoneOffset.UTC));
    }

    private static List<LiftRide> matching(Predicate<LiftRide> filter) {
        return rides.stream().filter(filter).toList();
    }

    private static List<Object> top(Predicate<LiftRide> filter, int limit) {
        Map<Integer, long[]> totals = new TreeMap<>();
        for (LiftRide r : matching(filter)) {
            long[] t = totals.computeIfAbsent(r.skierId(), s -> new long[2]);
            t[0]++;
            t[1] += r.liftId() * 10L;
        }
        List<Map.Entry<Integer, long[]>> ranked = new ArrayList<>(totals.entrySet());
        ranked.sort(Comparator.<Map.Entry<Integer, long[]>>comparingLong(e -> -e.getValue()[1])
                .thenComparing(Map.Entry::getKey));
        List<Object> top = new ArrayList<>();
        for (Map.Entry<Integer, long[]> e : ranked.subList(0, Math.min(limit, ranked.size()))) {
            top.add(ordered(
                    "rank",
                    top.size() + 1,
                    "skierID",
                    e.getKey(),
                    "rides",
                    e.getValue()[0],
                    "totalVert",
                    e.getValue()[1]));
        }
        return top;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** The tree the expected value's JSON parses to (number nodes as the server's answers parse). */
    /** An answer about one resort's day: its resort, season and day, then {@code key}. */
    private static JsonNode aboutTheDay(int resort, String season, int day, String key, Object value) throws Exception {
        return tree(ordered("resort", Integer.toString(resort), "seasonID", season, "dayID", day, key, value));
    }

    private static JsonNode tree(Object expected) throws Exception {
        return JSON.readTree(JSON.writeValueAsBytes(expected));
    }

    private static void assertError(String path, int status, String message) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(response.body()).path("message").asText())
                .as(path)
                .contains(message);
    }

    private static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return get(app.port(), path);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }
}
