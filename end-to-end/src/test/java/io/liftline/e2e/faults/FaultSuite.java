package io.liftline.e2e.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.rabbitmq.client.Channel;
import io.liftline.broker.ConfirmedPublisher;
import io.liftline.broker.Topology;
import io.liftline.e2e.SimulatorRuns;
import io.liftline.model.RideJson;
import io.liftline.simulator.SimulatorConfig;
import io.liftline.simulator.SimulatorMain;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryCheck;
import io.liftline.testing.AppProcess;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TcpProxy;
import io.liftline.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One fault per scenario, injected into the whole pipeline under simulator load, with everything measured that
 * says whether the pipeline survived it: rides accepted and stored, missing, altered or stored twice, 503s,
 * retries, which processes said they were not ready, and the seconds from the end of the fault until the pipeline
 * is healthy again (every process ready, every consumer registered, the queue draining).
 */
final class FaultSuite {

    /** A fault: {@code inject} starts it, {@code heal} ends it ({@code duration} later). */
    interface Fault {
        void inject(FaultSuite suite) throws Exception;

        void heal(FaultSuite suite) throws Exception;
    }

    /**
     * @param mustGoDown processes whose readiness must say DOWN during the fault (they cannot do their job)
     */
    record Scenario(String name, Duration duration, Set<String> mustGoDown, Fault fault) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One row of the table. */
    record Row(
            String fault,
            long rides,
            long accepted,
            long stored,
            long missing,
            long altered,
            long duplicates,
            long unavailable,
            long retries,
            double recoverySeconds,
            Set<String> notReadySeen,
            String note,
            List<SummaryCheck.Difference> summaryDifferences) {}

    /** A deploy: every producer stopped with SIGTERM and started again, one at a time, under load. */
    static final String ROLLING_RESTART = "rolling restart of the producers";

    /** How long the read model may take to count what is stored, after the load is verified. */
    private static final Duration SUMMARIES_CATCH_UP = Duration.ofSeconds(60);

    /** How much of the load flows before the fault: this many seconds' worth of rides stored. */
    private static final Duration LEAD = Duration.ofSeconds(2);

    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(120);

    final Pipeline pipeline;
    private final RabbitVhost rabbit;
    private final String database;
    private final int rides;
    private final double rate;
    private final AtomicLong poisonSent = new AtomicLong();
    private final AtomicBoolean poisonFlowing = new AtomicBoolean();
    private CompletableFuture<Void> poisonFlood;
    private String note = "";

    FaultSuite(Pipeline pipeline, RabbitVhost rabbit, String database, int rides, double rate) {
        this.pipeline = pipeline;
        this.rabbit = rabbit;
        this.database = database;
        this.rides = rides;
        this.rate = rate;
    }

    static Duration faultDuration() {
        return Duration.ofSeconds(Long.getLong("liftline.faults.seconds", 10));
    }

    /** Every scenario of the suite, in the order it runs them. */
    static List<Scenario> scenarios() {
        Duration d = faultDuration();
        Duration hung = d.plusSeconds(5);
        Duration blackHole = d.plusSeconds(15); // heartbeats (10 s) must notice what sends nothing back
        Set<String> producers = Set.of("producer-1", "producer-2");
        Set<String> workers = Set.of("worker-1", "worker-2");
        Set<String> all = Set.of("producer-1", "producer-2", "worker-1", "worker-2");
        return List.of(
                new Scenario(
                        "broker restart (stop_app, start_app)",
                        d,
                        all,
                        fault(s -> TestBroker.rabbitmqctl("stop_app"), s -> TestBroker.start())),
                new Scenario(
                        "broker kill -9, then start",
                        Duration.ZERO,
                        all,
                        fault(s -> TestBroker.kill9AndStart(d), s -> {})),
                new Scenario("producer-broker cut (refused)", d, producers, cut(p -> p.producerLink)),
                new Scenario("producer-broker black-holed", blackHole, producers, blackHoled(p -> p.producerLink)),
                new Scenario("worker-broker cut (refused)", d, workers, cut(p -> p.workerLink)),
                new Scenario("worker-broker black-holed", blackHole, workers, blackHoled(p -> p.workerLink)),
                new Scenario("worker-store cut", d, workers, cut(p -> p.storeLink)),
                new Scenario(
                        "store hung (SIGSTOP, SIGCONT)",
                        hung,
                        workers,
                        fault(s -> s.pipeline.store.signal("STOP"), s -> s.pipeline.store.signal("CONT"))),
                new Scenario(
                        "store restart", Duration.ZERO, workers, fault(s -> s.pipeline.restartStore(true, d), s -> {})),
                new Scenario(
                        "worker kill -9 mid-batch",
                        d,
                        Set.of("worker-1"),
                        fault(s -> s.pipeline.workers.get(0).kill9(), s -> s.pipeline.killAndReplaceWorker(0))),
                new Scenario(
                        "producer kill -9 (behind HAProxy)",
                        d,
                        Set.of("producer-1"),
                        fault(s -> s.pipeline.producers.get(0).kill9(), s -> s.pipeline.restartProducer(0))),
                new Scenario(
                        ROLLING_RESTART,
                        Duration.ZERO,
                        producers,
                        fault(s -> s.pipeline.rollingRestartOfTheProducers(), s -> {})),
                new Scenario(
                        "memory alarm",
                        d,
                        producers,
                        fault(s -> TestBroker.memoryAlarm(true), s -> TestBroker.memoryAlarm(false))),
                new Scenario(
                        "disk alarm",
                        d,
                        producers,
                        fault(s -> TestBroker.diskAlarm(true), s -> TestBroker.diskAlarm(false))),
                new Scenario(
                        "queue at max-length (workers stopped)",
                        d,
                        Set.of(),
                        fault(FaultSuite::fillTheQueue, FaultSuite::drainTheQueue)),
                new Scenario(
                        "poison flood (10 % malformed)",
                        d, Set.of(), fault(FaultSuite::startPoisonFlood, FaultSuite::stopPoisonFlood)));
    }

    private interface Step {
        void run(FaultSuite suite) throws Exception;
    }

    /** A link of the pipeline (a TCP proxy) refusing every connection, then restored. */
    private static Fault cut(Function<Pipeline, TcpProxy> link) {
        return fault(
                s -> link.apply(s.pipeline).cut(), s -> link.apply(s.pipeline).restore());
    }

    /** A link of the pipeline taking bytes and answering nothing, then restored. */
    private static Fault blackHoled(Function<Pipeline, TcpProxy> link) {
        return fault(
                s -> link.apply(s.pipeline).blackHole(),
                s -> link.apply(s.pipeline).restore());
    }

    private static Fault fault(Step inject, Step heal) {
        return new Fault() {
            @Override
            public void inject(FaultSuite suite) throws Exception {
                inject.run(suite);
            }

            @Override
            public void heal(FaultSuite suite) throws Exception {
                heal.run(suite);
            }
        };
    }

    /** Runs one scenario: load, the fault after a lead, recovery, then the verification of every ride. */
    Row run(Scenario scenario) throws Exception {
        note = "";
        try (Channel channel = rabbit.connection().createChannel()) {
            channel.queuePurge(Topology.DEAD_LETTER_QUEUE);
        }
        String runId = "fault-" + scenario.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        double storedBefore = storedSoFar();
        SimulatorConfig load = SimulatorConfig.of(
                SimulatorRuns.verified(pipeline.producerUrls(), rides, runId, pipeline.storeUri(), database)
                        .set(SimulatorConfig.PHASE1_THREADS, 0)
                        .set(SimulatorConfig.PHASE1_PER_THREAD, 1)
                        .set(SimulatorConfig.THREADS, 16)
                        .set(SimulatorConfig.MAX_RETRIES, 60)
                        .set(SimulatorConfig.VERIFY_TIMEOUT, Duration.ofMinutes(3))
                        .set(SimulatorConfig.RATE, rate));
        CompletableFuture<SimulatorMain.Outcome> simulator = CompletableFuture.supplyAsync(() -> {
            try {
                return SimulatorMain.execute(load);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The fault meets a pipeline under load, however late the simulator started. (The hung-store scenario once
        // saw one worker stay ready through the hang with this poll, and with a fixed lead alike: a write that began
        // during the hang failed only at the 10 s read timeout plus the driver's retry, after the store was back.
        // Workers now say DOWN once a write has waited 5 s, ConsumerApp.STORE_STALL.)
        awaitLoadUnderWay(storedBefore);

        Set<String> seenDown = new LinkedHashSet<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
            while (sampling.get()) {
                synchronized (seenDown) {
                    seenDown.addAll(pipeline.notReady());
                }
                sleep(Duration.ofMillis(250));
            }
        });
        scenario.fault().inject(this);
        Thread.sleep(scenario.duration().toMillis());
        scenario.fault().heal(this);
        sampling.set(false);
        sampler.get(30, TimeUnit.SECONDS);
        double recovery = secondsUntilHealthy();

        SimulatorMain.Outcome outcome = simulator.get(10, TimeUnit.MINUTES);
        if (poisonSent.get() > 0) {
            long sent = poisonSent.get();
            long dead = io.liftline.testing.Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "every poison message dead-lettered",
                    () -> rabbit.readyMessages(Topology.DEAD_LETTER_QUEUE),
                    n -> n >= sent);
            note = "poison " + poisonSent.get() + " sent, " + dead + " dead-lettered";
            poisonSent.set(0);
        }
        return new Row(
                scenario.name(),
                rides,
                outcome.accepted(),
                outcome.stored(),
                outcome.missing(),
                outcome.altered(),
                outcome.duplicates(),
                outcome.unavailable(),
                outcome.retries(),
                recovery,
                seenDown,
                note,
                summaryDifferences());
    }

    /**
     * Waits until the workers have stored {@link #LEAD}'s worth of rides at the load's rate since {@code before}. It
     * asks the workers' counters, not the store: a query that scans the store would slow the very writes it waits for.
     */
    private void awaitLoadUnderWay(double before) {
        long lead = Math.max(1, (long) (rate * LEAD.toSeconds()));
        io.liftline.testing.Poll.waitAtMost(
                Duration.ofSeconds(60),
                lead + " rides stored (the load under way)",
                () -> storedSoFar() >= before + lead);
    }

    /** Rides the workers have stored, by their own counters (a replaced worker starts again at 0). */
    private double storedSoFar() {
        return pipeline.workers.stream()
                .mapToDouble(w -> w.metric("liftline_rides_stored_total"))
                .sum();
    }

    /**
     * Every summary recounted from the raw rides (of every scenario so far: they stay stored): the differences left
     * once the workers have counted what is stored, or after {@link #SUMMARIES_CATCH_UP}.
     */
    private List<SummaryCheck.Difference> summaryDifferences() {
        try (MongoClient client = MongoClients.create(pipeline.storeUri())) {
            SummaryCheck check = new SummaryCheck(new Summaries(client.getDatabase(database)));
            long deadline = System.nanoTime() + SUMMARIES_CATCH_UP.toNanos();
            List<SummaryCheck.Difference> differences = check.differences(null, null);
            while (!differences.isEmpty() && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(500));
                differences = check.differences(null, null);
            }
            return differences;
        }
    }

    /** Seconds until every process is ready, every consumer registered, and the queue drained or draining. */
    private double secondsUntilHealthy() {
        long start = System.nanoTime();
        long lastReady = Long.MAX_VALUE;
        while (System.nanoTime() - start < RECOVERY_LIMIT.toNanos()) {
            long[] queue = pipeline.queueState();
            boolean draining = queue[1] >= 0 && (queue[1] == 0 || queue[1] < lastReady);
            if (queue[1] >= 0) {
                lastReady = queue[1];
            }
            if (draining && pipeline.healthy()) {
                return (System.nanoTime() - start) / 1e9;
            }
            sleep(Duration.ofMillis(200));
        }
        return Double.POSITIVE_INFINITY;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // The queue at its max length: a lower limit by policy, and no worker taking rides off it.
    private static void fillTheQueue(FaultSuite s) throws Exception {
        s.rabbit.management().putPolicy(s.rabbit.vhost(), policyWithMaxLength(200));
        for (AppProcess worker : s.pipeline.workers) {
            worker.terminate();
        }
    }

    private static void drainTheQueue(FaultSuite s) throws Exception {
        s.rabbit.management().putPolicy(s.rabbit.vhost(), policyWithMaxLength(-1));
        for (int i = 0; i < s.pipeline.workers.size(); i++) {
            s.pipeline.killAndReplaceWorker(i); // already stopped: this starts a replacement
        }
    }

    /** The lift-rides policy of rabbitmq/definitions.json, with another max-length (-1: as in the file). */
    private static JsonNode policyWithMaxLength(int maxLength) throws Exception {
        JsonNode definitions =
                RideJson.MAPPER.readTree(Files.readAllBytes(RepositoryFiles.resolve("rabbitmq/definitions.json")));
        for (JsonNode policy : definitions.path("policies")) {
            if (policy.path("name").asText().equals("lift-rides")) {
                JsonNode copy = policy.deepCopy();
                if (maxLength >= 0) {
                    ((ObjectNode) copy.get("definition")).put("max-length", maxLength);
                }
                return copy;
            }
        }
        throw new AssertionError("rabbitmq/definitions.json has no lift-rides policy");
    }

    // Malformed messages published straight to the exchange beside the good rides: one for every nine rides.
    private static void startPoisonFlood(FaultSuite s) {
        s.poisonFlowing.set(true);
        long interval = Math.max(1, (long) (1000 / (s.rate / 9)));
        s.poisonFlood = CompletableFuture.runAsync(() -> {
            try (Channel channel = s.rabbit.newConnection().createChannel()) {
                ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
                while (s.poisonFlowing.get()) {
                    long n = s.poisonSent.incrementAndGet();
                    publisher.publish(
                            Topology.EXCHANGE,
                            Topology.ROUTING_KEY,
                            Topology.rideProperties("poison-" + n, Instant.now()),
                            ("{\"eventId\": \"poison-" + n + "\", \"skierId\": ").getBytes(StandardCharsets.UTF_8));
                    if (!publisher.awaitConfirms(Duration.ofSeconds(10)).isEmpty()) {
                        throw new IllegalStateException("poison-" + n + " reached no queue");
                    }
                    Thread.sleep(interval);
                }
            } catch (Exception e) {
                throw new IllegalStateException("poison flood failed", e);
            }
        });
    }

    private static void stopPoisonFlood(FaultSuite s) throws Exception {
        s.poisonFlowing.set(false);
        s.poisonFlood.get(30, TimeUnit.SECONDS);
    }

    /** The table, as README's Reliability section shows it. */
    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "%-40s %8s %8s %7s %7s %4s %6s %7s %9s %9s  %s%n",
                "fault",
                "accepted",
                "stored",
                "missing",
                "altered",
                "dup",
                "503s",
                "retries",
                "recover_s",
                "summaries",
                "not ready during the fault"));
        for (Row r : rows) {
            out.append(String.format(
                    Locale.ROOT,
                    "%-40s %8d %8d %7d %7d %4d %6d %7d %9.1f %9s  %s%n",
                    r.fault(),
                    r.accepted(),
                    r.stored(),
                    r.missing(),
                    r.altered(),
                    r.duplicates(),
                    r.unavailable(),
                    r.retries(),
                    r.recoverySeconds(),
                    r.summaryDifferences().isEmpty()
                            ? "exact"
                            : r.summaryDifferences().size() + " differ",
                    (r.notReadySeen().isEmpty() ? "-" : String.join(",", r.notReadySeen()))
                            + (r.note().isEmpty() ? "" : "; " + r.note())));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return rides + " rides per scenario at " + rate + " rides/s, faults of "
                + faultDuration().toSeconds() + " s, 2 producers behind HAProxy, 2 workers, stand-in store";
    }

    static List<Row> newTable() {
        return new ArrayList<>();
    }
}
