package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerClients;
import io.liftline.broker.BrokerNodes;
import io.liftline.broker.Topology;
import io.liftline.consumer.ConsumerApp;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.producer.ProducerApp;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.simulator.SimulatorConfig;
import io.liftline.simulator.SimulatorMain;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryCheck;
import io.liftline.testing.Commands;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.Poll;
import io.liftline.testing.RepositoryFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pipeline on the local 3-node RabbitMQ cluster (scripts/cluster): a producer and a worker given all three
 * nodes, load running while the node leading lift-rides is killed with SIGKILL or cut off from the others
 * (a partition; it pauses), or every node is restarted in turn. Every accepted ride is stored once. And a lone
 * producer whose channels first publish while the queue has no leader. It starts the cluster, and stops it afterwards.
 */
class ClusterIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    /** Sizes: scripts/faults --cluster passes its own; CI uses these. */
    private static final int RIDES = Integer.getInteger("liftline.faults.rides", 4_000);

    private static final double RATE = Double.parseDouble(System.getProperty("liftline.faults.rate", "250"));
    private static final Path TABLE = RepositoryFiles.resolve("end-to-end/target/faults/cluster-table.txt");
    private static final String HEADER = String.format(
            "%-42s %8s %8s %7s %7s %4s %9s %9s%n",
            "cluster fault", "accepted", "stored", "missing", "altered", "dup", "recover_s", "summaries");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String uri;
    private static TestPipeline pipeline;
    private static ProducerApp producer;
    private static ConsumerApp consumer;

    static String cluster(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(
                List.of("bash", RepositoryFiles.resolve("scripts/cluster").toString()));
        command.addAll(List.of(args));
        return Commands.succeed(new ProcessBuilder(command), Duration.ofMinutes(5))
                .strip();
    }

    /** The node leading lift-rides, or "none" while no running node knows (an election under way). */
    static String leader() throws Exception {
        Commands.Ran ran = Commands.run(
                Duration.ofMinutes(2),
                List.of("bash", RepositoryFiles.resolve("scripts/cluster").toString(), "leader"));
        return ran.exit() == 0 ? ran.output().strip() : "none";
    }

    @BeforeAll
    static void startTheClusterAndThePipeline() throws Exception {
        Files.deleteIfExists(TABLE);
        String started = cluster("start");
        uri = started.substring(started.lastIndexOf("LIFTLINE_AMQP_URI=") + "LIFTLINE_AMQP_URI=".length())
                .strip();
        assertThat(BrokerNodes.parse(uri).addresses()).hasSize(3);
        pipeline = TestPipeline.start(
                uri, mongo, p -> p, c -> c.set(ConsumerConfig.STORE_RETRY_MAX_BACKOFF, Duration.ofSeconds(1)));
        producer = pipeline.producer;
        consumer = pipeline.consumer;
    }

    @AfterAll
    static void stopThePipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
        cluster("stop"); // three nodes hold memory the rest of the suite needs; the data stays for the next start
    }

    @BeforeEach
    void everyNodeUpAndTheQueueEmpty() throws Exception {
        cluster("start");
        try (Connection connection = BrokerClients.connect(uri, "liftline-test");
                Channel channel = connection.createChannel()) {
            channel.queuePurge(Topology.QUEUE);
        }
    }

    private static SimulatorConfig load(String runId) {
        return load(runId, 60);
    }

    /** @param maxRetries 0: a client that never retries, so any failed request shows */
    private static SimulatorConfig load(String runId, int maxRetries) {
        return SimulatorConfig.of(SimulatorRuns.verified(
                        "http://127.0.0.1:" + producer.port(), RIDES, runId, mongo.uri(), mongo.databaseName())
                .set(SimulatorConfig.PHASE1_THREADS, 0)
                .set(SimulatorConfig.PHASE1_PER_THREAD, 1)
                .set(SimulatorConfig.THREADS, 16)
                .set(SimulatorConfig.MAX_RETRIES, maxRetries)
                .set(SimulatorConfig.REQUEST_TIMEOUT, Duration.ofSeconds(15))
                .set(SimulatorConfig.VERIFY_TIMEOUT, Duration.ofSeconds(300))
                .set(SimulatorConfig.RATE, RATE));
    }

    /** Seconds from the fault's end until every node serves, the worker consumes and the producer is connected. */
    private static double recover(long faultEnded) throws Exception {
        Poll.waitAtMost(
                Duration.ofSeconds(120),
                "the cluster and the pipeline recovered",
                () -> listening(5681)
                        && listening(5682)
                        && listening(5683)
                        && consumer.notReadyReason() == null
                        && producer.awaitBroker(Duration.ZERO));
        return (System.nanoTime() - faultEnded) / 1e9;
    }

    /** Asserts every ride accepted and stored once, and adds the fault's row to the table. */
    private static void assertEveryRideStoredOnce(String fault, SimulatorMain.Outcome outcome, double recoverSeconds)
            throws Exception {
        Files.createDirectories(TABLE.getParent());
        if (!Files.exists(TABLE)) {
            Files.writeString(TABLE, HEADER);
        }
        // The read model counted every stored ride once: the workers count before they ack, so it is exact as soon
        // as the queue is empty and the last batch counted.
        SummaryCheck check = new SummaryCheck(new Summaries(mongo.database()));
        List<SummaryCheck.Difference> differences = Poll.waitAtMost(
                Duration.ofSeconds(60), "the summaries exact", () -> check.differences(null, null), List::isEmpty);
        Files.writeString(
                TABLE,
                String.format(
                        "%-42s %8d %8d %7d %7d %4d %9.1f %9s%n",
                        fault,
                        outcome.accepted(),
                        outcome.stored(),
                        outcome.missing(),
                        outcome.altered(),
                        outcome.duplicates(),
                        recoverSeconds,
                        differences.isEmpty() ? "exact" : differences.size() + " differ"),
                StandardOpenOption.APPEND);
        assertThat(outcome.ridesFailed()).as("rides never accepted").isZero();
        assertThat(outcome.verification())
                .isEqualTo("verified: " + RIDES + " accepted, " + RIDES + " stored, 0 missing, 0 altered, 0 duplicate");
    }

    /** Runs the load, once it is seen to store rides: a fault injected then meets a pipeline at work. */
    private static CompletableFuture<SimulatorMain.Outcome> underWay(SimulatorConfig load) {
        long before = stored();
        CompletableFuture<SimulatorMain.Outcome> run = CompletableFuture.supplyAsync(() -> execute(load));
        Poll.waitAtMost(Duration.ofSeconds(30), "the load under way", () -> stored() >= before + 500);
        return run;
    }

    /** Rides stored so far (of every test: they stay), to see that a load is under way before its fault. */
    private static long stored() {
        return mongo.database().getCollection("rides").countDocuments();
    }

    /**
     * The producer rides through the loss of its node (it holds the publishes and reconnects to another) and the
     * leader's election (confirms come from the new leader): a client that never retries sees no failure.
     */
    @Test
    void killingTheLeaderOfTheQueueUnderLoadCostsAClientThatNeverRetriesNothing() throws Exception {
        CompletableFuture<SimulatorMain.Outcome> run = underWay(load("cluster-kill", 0));
        String leader =
                Poll.waitAtMost(Duration.ofSeconds(30), "the leader known", ClusterIT::leader, l -> !l.equals("none"));
        cluster("kill", leader);
        long killed = System.nanoTime();
        Poll.waitAtMost(
                Duration.ofSeconds(60),
                "a new leader elected",
                () -> !List.of(leader, "none").contains(leader()));
        System.out.printf(
                "leader %s killed; new leader %s after %d ms%n",
                leader, leader(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        Poll.waitAtMost(
                Duration.ofSeconds(60),
                "the worker subscribed on a surviving node",
                () -> consumer.notReadyReason() == null);
        double toLeader = (System.nanoTime() - killed) / 1e9;
        cluster("restart", leader);
        SimulatorMain.Outcome outcome = run.get(10, TimeUnit.MINUTES);
        assertThat(outcome.unavailable())
                .as("503 answers to a client that never retries")
                .isZero();
        assertThat(outcome.retries()).as("retries (there are none to make)").isZero();
        assertEveryRideStoredOnce(
                "leader kill -9 (node " + leader + "), no client retries",
                outcome,
                Math.max(toLeader, recover(killed)));
    }

    /**
     * RabbitMQ 3.10 keeps nacking a channel whose first publish to the queue came while the queue had no leader, for
     * as long as the old leader is down. A producer on a surviving node, whose channels all first publish then (the
     * other members frozen, so that no election can end), replaces them: it takes rides again as soon as the queue has
     * a leader, with the old one still down.
     */
    @Test
    void aProducerWhoseChannelsFirstPublishedWhileTheQueueHadNoLeaderTakesRidesOnceItHasOne() throws Exception {
        String leader =
                Poll.waitAtMost(Duration.ofSeconds(30), "the leader known", ClusterIT::leader, l -> !l.equals("none"));
        List<String> others =
                List.of("1", "2", "3").stream().filter(n -> !n.equals(leader)).toList();
        int port = 5680 + Integer.parseInt(others.get(0));
        try (ProducerApp lone = ProducerApp.start(ProducerConfig.of(Values.defaults()
                .set(ProducerConfig.AMQP_URI, "amqp://guest:guest@127.0.0.1:" + port + "/%2F")
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)))) {
            assertThat(lone.awaitBroker(Duration.ofSeconds(30))).as("connected").isTrue();
            assertThat(refusedChannels(lone.adminPort()))
                    .as("channels replaced before the fault")
                    .isZero();
            for (String node : others) {
                cluster("freeze", node);
            }
            try {
                cluster("kill", leader);
                assertThat(postAtOnce(lone.port(), 32))
                        .as("answers while the queue has no leader")
                        .containsOnly(503);
            } finally {
                for (String node : others) {
                    cluster("thaw", node);
                }
            }
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "a new leader elected",
                    () -> !List.of(leader, "none").contains(leader()));
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "every POST of a round accepted, node " + leader + " still down",
                    () -> postAtOnce(lone.port(), 32).stream().allMatch(status -> status == 201));
            assertThat(listening(5680 + Integer.parseInt(leader)))
                    .as("the old leader still down")
                    .isFalse();
            assertThat(refusedChannels(lone.adminPort()))
                    .as("channels replaced, counted")
                    .isPositive();
        }
    }

    /** {@code liftline_publish_channels_refused_total} on a producer's admin port. */
    private static double refusedChannels(int adminPort) throws Exception {
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines()
                .filter(line -> line.startsWith("liftline_publish_channels_refused_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .sum();
    }

    /** POSTs this many rides at once (a connection each), and gives their statuses. */
    private static List<Integer> postAtOnce(int port, int rides) {
        List<CompletableFuture<Integer>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < rides; i++) {
            HttpRequest post = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/skiers/3/seasons/2025/days/17/skiers/" + (i + 1)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"time\":100,\"liftID\":7}"))
                    .build();
            answers.add(
                    HTTP.sendAsync(post, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode));
        }
        return answers.stream().map(CompletableFuture::join).toList();
    }

    @Test
    void aRollingRestartOfEveryNodeUnderLoadLosesNothing() throws Exception {
        CompletableFuture<SimulatorMain.Outcome> run = underWay(load("cluster-rolling"));
        for (String node : List.of("1", "2", "3")) {
            cluster("restart", node);
        }
        double recovered = recover(System.nanoTime());
        assertEveryRideStoredOnce("rolling restart of nodes 1, 2, 3", run.get(10, TimeUnit.MINUTES), recovered);
    }

    @Test
    void aNodeCutOffFromTheOthersPausesWhileTheMajorityGoesOnAndNothingIsLost() throws Exception {
        CompletableFuture<SimulatorMain.Outcome> run = underWay(load("cluster-partition"));
        String cut =
                Poll.waitAtMost(Duration.ofSeconds(30), "the leader known", ClusterIT::leader, l -> !l.equals("none"));
        int port = 5680 + Integer.parseInt(cut);
        cluster("partition", cut);
        try {
            // pause_minority: alone, the node stops serving clients (its listener closes) rather than diverge.
            Poll.waitAtMost(Duration.ofSeconds(60), "node " + cut + " paused", () -> !listening(port));
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "a leader on the majority side",
                    () -> !List.of(cut, "none").contains(leader()));
            Thread.sleep(5_000);
        } finally {
            cluster("heal", cut);
        }
        long healed = System.nanoTime();
        Poll.waitAtMost(Duration.ofSeconds(90), "node " + cut + " serving again", () -> listening(port));
        assertEveryRideStoredOnce(
                "leader cut off (node " + cut + ", pause_minority)", run.get(10, TimeUnit.MINUTES), recover(healed));
    }

    @Test
    void everyNodeKilledAtOnceComesBackWithScriptsClusterStartAndNothingIsLost() throws Exception {
        CompletableFuture<SimulatorMain.Outcome> run = underWay(load("cluster-kill-all"));
        for (String node : List.of("1", "2", "3")) {
            cluster("kill", node);
        }
        // Only the last node down knows it was last; the others wait at boot for their peers (Mnesia's tables),
        // so the nodes must start together: one at a time, the first waits minutes for the ones not yet started.
        cluster("start");
        long started = System.nanoTime();
        assertEveryRideStoredOnce(
                "all nodes kill -9, scripts/cluster start", run.get(10, TimeUnit.MINUTES), recover(started));
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static SimulatorMain.Outcome execute(SimulatorConfig config) {
        try {
            return SimulatorMain.execute(config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
