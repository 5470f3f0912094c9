package io.liftline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.model.LiftRide;
import io.liftline.query.config.QueryConfig;
import io.liftline.runtime.Values;
import io.liftline.service.edge.ApiKeys;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.service.edge.Tls;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.TestCertificate;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read API's edge over real sockets: the same chain as the ingest API's. Keys have scopes and resorts; a rate
 * limit per key; HTTPS; the header bound.
 */
class ReadEdgeIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    @TempDir
    static Path dir;

    private static final String SCANNER = "ll_scanner-key-0123456789";
    private static final String ANALYST_3_4 = "ll_analyst-3-4-key-0123456789";
    private static final String ANALYST_ALL = "ll_analyst-all-key-0123456789";
    private static final String BOTH = "ll_both-scopes-key-0123456789";
    private static final String PASSWORD = "read-edge-keystore";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();

    private static QueryApp withKeys;
    private static QueryApp limited;
    private static QueryApp overTls;
    private static Path truststore;

    @BeforeAll
    static void storeRidesAndStartThreeReadApis() throws Exception {
        List<LiftRide> rides = List.of(
                new LiftRide("e-1", 3, "2025", 17, 4242, 217, 21, Instant.now()),
                new LiftRide("e-2", 5, "2025", 17, 4242, 30, 5, Instant.now()),
                new LiftRide("e-3", 4, "2025", 17, 77, 90, 2, Instant.now()));
        new RideStore(mongo.client(), mongo.databaseName()).insert(rides);
        new SummaryWriter(new Summaries(mongo.database())).apply(rides);
        Path keys = Files.writeString(
                dir.resolve("keys"),
                hash(SCANNER) + " gate7 *\n" // no scope: ingest, as before scopes
                        + hash(ANALYST_3_4) + " analyst-3 3,4 read\n" + hash(ANALYST_ALL) + " analyst-all * read\n"
                        + hash(BOTH) + " ops * ingest,read\n");
        withKeys = QueryApp.start(config(edge(keys).set(QueryConfig.HTTP_PORT, 0)));
        limited = QueryApp.start(config(edge(keys)
                .set(QueryConfig.HTTP_PORT, 0)
                .set(EdgeSettings.RATE_LIMIT, 0.5)
                .set(EdgeSettings.RATE_LIMIT_BURST, 2)));
        TestCertificate made = TestCertificate.make(dir, "query", PASSWORD);
        truststore = made.truststore();
        overTls = QueryApp.start(config(
                EdgeSettings.tls(edge(keys).set(QueryConfig.HTTPS_PORT, 0), new Tls(made.keystore(), PASSWORD))));
    }

    /** Loopback, these keys, at most 100 connections, a free admin port. */
    private static Values edge(Path keys) {
        return Values.defaults()
                .set(EdgeSettings.BIND_ADDRESS, "127.0.0.1")
                .set(EdgeSettings.MAX_CONNECTIONS, 100)
                .set(EdgeSettings.API_KEYS_FILE, keys)
                .set(EdgeSettings.ADMIN_BIND_ADDRESS, "127.0.0.1")
                .set(QueryConfig.ADMIN_PORT, 0)
                .set(EdgeSettings.SHUTDOWN_TIMEOUT, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws Exception {
        for (QueryApp app : new QueryApp[] {withKeys, limited, overTls}) {
            if (app != null) {
                app.close();
            }
        }
    }

    private static QueryConfig config(Values edge) {
        return QueryConfig.of(edge.set(QueryConfig.MONGODB_URI, mongo.uri())
                .set(QueryConfig.MONGODB_DATABASE, mongo.databaseName())
                .set(QueryConfig.QUERY_TIMEOUT, Duration.ofSeconds(2))
                .set(QueryConfig.TIME_ZONE, ZoneOffset.UTC));
    }

    private static String hash(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    private static HttpResponse<String> get(QueryApp app, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("message").asText();
    }

    private static final String RESORT_3 = "/resorts/3/seasons/2025/day/17/skiers";
    private static final String RESORT_5 = "/resorts/5/seasons/2025/day/17/skiers";

    @Test
    void withoutAKeyOrWithAnUnknownOneTheReadApiAnswers401() throws Exception {
        HttpResponse<String> none = get(withKeys, RESORT_3, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"liftline\"");
        assertThat(message(none)).isEqualTo("an API key is required: Authorization: Bearer <key>");
        HttpResponse<String> unknown = get(withKeys, RESORT_3, "ll_made-up");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(message(unknown)).isEqualTo("unknown API key");
        assertThat(get(withKeys, "/no/such/route", null).statusCode())
                .as("the key first: routes are not told to strangers")
                .isEqualTo(401);
    }

    @Test
    void aScannersKeyCannotRead() throws Exception {
        HttpResponse<String> scanner = get(withKeys, RESORT_3, SCANNER);
        assertThat(scanner.statusCode()).isEqualTo(403);
        assertThat(message(scanner)).isEqualTo("the API key of client gate7 may not read (its scope: ingest)");
    }

    @Test
    void anAnalystsKeyReadsItsResortsOnly() throws Exception {
        HttpResponse<String> own = get(withKeys, RESORT_3, ANALYST_3_4);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).isEqualTo("{\"resort\":\"3\",\"numSkiers\":1}");
        HttpResponse<String> other = get(withKeys, RESORT_5, ANALYST_3_4);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(message(other)).isEqualTo("resortID 5 is not covered by the API key of client analyst-3");
        for (String path : List.of(
                "/resorts/5/seasons/2025/day/17/lifts",
                "/resorts/5/seasons/2025/top-skiers",
                "/resorts/5/seasons/2025/day/17/top-skiers",
                "/skiers/5/seasons/2025/days/17/skiers/4242",
                "/skiers/4242/vertical?resort=5")) {
            assertThat(get(withKeys, path, ANALYST_3_4).statusCode()).as(path).isEqualTo(403);
        }
        HttpResponse<String> vertical = get(withKeys, "/skiers/4242/vertical?resort=3", ANALYST_3_4);
        assertThat(vertical.statusCode()).isEqualTo(200);
        assertThat(vertical.body()).isEqualTo("{\"resorts\":[{\"seasonID\":\"2025\",\"totalVert\":210}]}");
        assertThat(get(withKeys, "/skiers/4242/vertical?resort=11", ANALYST_3_4).statusCode())
                .as("a bad id is a 400 first")
                .isEqualTo(400);
        assertThat(get(withKeys, RESORT_5, ANALYST_ALL).statusCode()).isEqualTo(200);
        assertThat(get(withKeys, RESORT_5, BOTH).statusCode()).isEqualTo(200);
    }

    @Test
    void eachKeyHasItsOwnRate() throws Exception {
        assertThat(get(limited, RESORT_3, ANALYST_ALL).statusCode()).isEqualTo(200);
        assertThat(get(limited, RESORT_3, ANALYST_ALL).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = get(limited, RESORT_3, ANALYST_ALL); // a burst of 2 at 0.5 requests/s
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After").map(Long::parseLong))
                .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 2L));
        assertThat(message(refused))
                .startsWith("rate limit: at most 0.5 requests per second per client (bursts of 2); retry in ");
        assertThat(get(limited, RESORT_3, BOTH).statusCode())
                .as("another key, another allowance")
                .isEqualTo(200);
        assertThat(get(limited, RESORT_3, "ll_made-up").statusCode())
                .as("a refused key spends nothing")
                .isEqualTo(401);
    }

    @Test
    void overTlsTheReadApiServesHttpsOnlyAndVerifiably() throws Exception {
        assertThat(overTls.port()).as("no plain port unless asked").isEqualTo(-1);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            trust.load(in, TestCertificate.TRUSTSTORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(context).build();
        HttpResponse<String> answer = https.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + overTls.tlsPort() + RESORT_3))
                        .header("Authorization", "Bearer " + ANALYST_3_4)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"resort\":\"3\",\"numSkiers\":1}");
    }

    @Test
    void headersBeyondTheBoundAreRefusedAndTheAdminPortIsApart() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), withKeys.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(("GET " + RESORT_3 + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + "x".repeat(10_000)
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 431");
        }
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + withKeys.adminPort() + "/health/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as("no key on the admin port").isEqualTo(200);
        assertThat(get(withKeys, "/health/ready", ANALYST_ALL).statusCode())
                .as("not on the public port")
                .isEqualTo(404);
    }
}
