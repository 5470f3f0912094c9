package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.liftline.ops.OpsMain;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.simulator.SimulatorConfig;
import io.liftline.simulator.SimulatorMain;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Keys made with liftline-ops api-key (scripts/api-key), a producer that asks for them, and the simulator sending one. */
class ApiKeyPipelineIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @TempDir
    Path dir;

    /** {@code liftline-ops api-key ...} (what scripts/api-key runs) on the file; returns what it printed. */
    private static String apiKey(Path file, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("api-key"));
        command.addAll(List.of(args));
        command.add("--api-keys-file=" + file);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int exit = OpsMain.run(
                command.toArray(String[]::new),
                name -> null,
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                java.io.InputStream.nullInputStream());
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(exit).as(printed).isZero();
        return printed;
    }

    private static SimulatorConfig load(int port, String runId, String key) {
        return SimulatorConfig.of(SimulatorRuns.verified(
                        "http://127.0.0.1:" + port,
                        500,
                        runId,
                        backends.mongo().uri(),
                        backends.mongo().databaseName())
                .set(SimulatorConfig.PHASE1_THREADS, 4)
                .set(SimulatorConfig.PHASE1_PER_THREAD, 50)
                .set(SimulatorConfig.THREADS, 8)
                .set(SimulatorConfig.MAX_RETRIES, 2)
                .set(SimulatorConfig.API_KEY, key));
    }

    @Test
    void aKeyMadeWithTheScriptCarriesASimulatorRunAndItsRevocationStopsIt() throws Exception {
        Path keys = dir.resolve("api-keys");
        String key = apiKey(keys, "new", "sim", "*");
        assertThat(key).startsWith("ll_").hasSizeGreaterThan(40);
        assertThat(Files.readString(keys)).doesNotContain(key).contains(" sim *");
        assertThat(Files.getPosixFilePermissions(keys)).hasSize(2); // owner read and write only

        try (TestPipeline pipeline = TestPipeline.start(
                backends.rabbit().amqpUri(), backends.mongo(), p -> p.set(EdgeSettings.API_KEYS_FILE, keys), c -> c)) {
            int port = pipeline.port();

            assertThat(SimulatorMain.execute(load(port, "keyed", key)).verification())
                    .isEqualTo("verified: 500 accepted, 500 stored, 0 missing, 0 altered, 0 duplicate");
            SimulatorMain.Outcome without = SimulatorMain.execute(load(port, "unkeyed", null));
            assertThat(without.ridesFailed()).as("401 is not retried").isEqualTo(500);
            assertThat(without.exit()).isEqualTo(1);

            apiKey(keys, "revoke", "sim");
            HttpClient http = HttpClient.newHttpClient();
            Poll.waitAtMost(
                    Duration.ofSeconds(10),
                    "the revoked key refused",
                    () -> http.send(
                                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                                            + "/skiers/3/seasons/2025/days/1/skiers/7"))
                                                    .header("Content-Type", "application/json")
                                                    .header("Authorization", "Bearer " + key)
                                                    .POST(HttpRequest.BodyPublishers.ofString(
                                                            "{\"time\": 1, \"liftID\": 1}"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .statusCode()
                            == 401);
        }
    }

    @Test
    void twoClientsSendingTheSameIdAreBothStoredUnderTheirOwnNamesAndARetryIsNot() throws Exception {
        Path keys = dir.resolve("api-keys");
        String gateA = apiKey(keys, "new", "gate-a", "*");
        String gateB = apiKey(keys, "new", "gate-b", "*");
        try (TestPipeline pipeline = TestPipeline.start(
                        backends.rabbit().amqpUri(),
                        backends.mongo(),
                        p -> p.set(EdgeSettings.API_KEYS_FILE, keys),
                        c -> c);
                MongoClient client = MongoClients.create(backends.mongo().uri())) {
            int port = pipeline.port();
            HttpClient http = HttpClient.newHttpClient();
            for (String key : List.of(gateA, gateB, gateA)) { // gate-b squats gate-a's next id; gate-a retries
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + port + "/skiers/3/seasons/2025/days/1/skiers/7"))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + key)
                                .header("Idempotency-Key", "gate-a-000124")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"time\": 1, \"liftID\": 1}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(201);
                assertThat(answer.body()).isEqualTo("{\"eventId\":\"gate-a-000124\"}");
            }
            MongoCollection<Document> rides =
                    client.getDatabase(backends.mongo().databaseName()).getCollection("rides");
            Poll.waitAtMost(Duration.ofSeconds(20), "both clients' rides stored", () -> rides.countDocuments() >= 2);
            Poll.waitAtMost(
                    Duration.ofSeconds(10),
                    "the retry consumed",
                    () -> backends.rabbit().readyMessages("lift-rides") == 0);
            List<Object> ids = rides.find().map(d -> d.get("_id")).into(new java.util.ArrayList<>());
            assertThat(ids).containsExactlyInAnyOrder("gate-a:gate-a-000124", "gate-b:gate-a-000124");
        }
    }
}
