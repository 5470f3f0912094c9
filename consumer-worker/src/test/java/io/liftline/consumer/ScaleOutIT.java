package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import io.liftline.broker.Topology;
import io.liftline.testing.AppProcess;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real worker processes: competing on one queue, killed with -9, stopped with SIGTERM under load. */
class ScaleOutIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final Duration ALL_STORED = Duration.ofSeconds(120);

    private static Map<String, String> env() {
        return backends.environment("LIFTLINE_ADMIN_PORT", "0", "LIFTLINE_CONSUMERS", "2");
    }

    /** The worker as a real process (the shaded jar), so that it can be SIGTERMed and killed -9. */
    private static AppProcess worker(String name, Map<String, String> env) throws Exception {
        return AppProcess.jar(name, Path.of("target", "liftline-consumer-worker.jar"), env, null);
    }

    private static MongoCollection<Document> rides() {
        return backends.mongo().database().getCollection("rides");
    }

    private static long stored(String prefix) {
        return TestWorkers.stored(backends, prefix);
    }

    /** Every id stored, and nothing else of the run: _id is unique, so equal sets mean exactly once. */
    private static void assertStoredExactlyOnce(String prefix, List<String> ids) {
        Poll.waitAtMost(ALL_STORED, ids.size() + " rides of " + prefix + " stored", () -> stored(prefix) >= ids.size());
        Set<String> storedIds = new HashSet<>();
        for (Document d : rides().find(TestWorkers.ofRun(prefix))) {
            storedIds.add(d.getString("_id"));
        }
        assertThat(stored(prefix)).isEqualTo(ids.size());
        assertThat(storedIds).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void tenThousandRidesThroughTwoWorkerProcessesAreStoredExactlyOnce() throws Exception {
        List<String> ids = Rides.ids("scale", 10_000);
        try (AppProcess first = worker("scale-1", env());
                AppProcess second = worker("scale-2", env())) {
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "both workers consuming (2 consumers each)",
                    () -> backends.rabbit()
                                    .management()
                                    .queue(backends.rabbit().vhost(), Topology.QUEUE)
                                    .path("consumers")
                                    .asInt()
                            == 4);
            Rides.publish(backends.rabbit().connection(), ids);
            assertStoredExactlyOnce("scale", ids);
            assertThat(first.log()).contains("consuming lift-rides");
            assertThat(second.log()).contains("consuming lift-rides");
            first.terminate();
            second.terminate();
        }
    }

    @Test
    void aWorkerKilledMidBatchLosesNothingOnceAnotherTakesOver() throws Exception {
        List<String> ids = Rides.ids("kill", 20_000);
        Rides.publish(backends.rabbit().connection(), ids);
        try (AppProcess victim = worker("kill-victim", env())) {
            Poll.waitAtMost(Duration.ofSeconds(60), "the victim storing", () -> stored("kill") > 2_000);
            victim.kill9();
        }
        assertThat(stored("kill")).as("killed before the end").isLessThan(ids.size());
        try (AppProcess successor = worker("kill-successor", env())) {
            assertStoredExactlyOnce("kill", ids);
            successor.terminate();
        }
    }

    @Test
    void sigtermUnderLoadLosesNothing() throws Exception {
        List<String> ids = Rides.ids("term", 10_000);
        try (AppProcess worker = worker("term-1", env())) {
            Thread publisher = new Thread(() -> {
                try {
                    for (int from = 0; from < ids.size(); from += 500) {
                        Rides.publish(backends.rabbit().connection(), ids.subList(from, from + 500));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            publisher.start();
            Poll.waitAtMost(Duration.ofSeconds(60), "the worker storing under load", () -> stored("term") > 1_000);
            worker.terminate();
            assertThat(worker.log()).contains("SIGTERM: stopping the consumer", "consumer stopped");
            publisher.join();
        }
        try (AppProcess next = worker("term-2", env())) {
            assertStoredExactlyOnce("term", ids);
            next.terminate();
        }
    }
}
