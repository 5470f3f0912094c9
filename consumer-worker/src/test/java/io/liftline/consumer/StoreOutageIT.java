package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import io.liftline.testing.TcpProxy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StoreOutageIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @Test
    void aStoreDownForTenSecondsDeadLettersNothingAndLosesNothing() throws Exception {
        throughAProxiedStore((proxy, consumer) -> {
            List<String> before = Rides.ids("outage-before", 500);
            Rides.publish(backends.rabbit().connection(), before);
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "rides before the outage stored",
                    () -> TestWorkers.stored(backends, "outage") == 500);

            proxy.cut();
            List<String> during = Rides.ids("outage-during", 3_000);
            Rides.publish(backends.rabbit().connection(), during);
            Thread.sleep(10_000);
            assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                    .as("store down is not poison")
                    .isZero();
            assertThat(consumer.metrics().storeRetryCount())
                    .as("store retries counted")
                    .isPositive();
            assertThat(consumer.notReadyReason())
                    .as("not ready while the store fails")
                    .startsWith("store unavailable");
            assertThat(consumer.metrics().scrape()).containsPattern("liftline_store_retries_total [1-9]");
            assertThat(backends.rabbit().messages(Topology.QUEUE))
                    .as("held in the broker, ready or unacked")
                    .isPositive();

            proxy.restore();
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "every ride stored after the store returned",
                    () -> TestWorkers.stored(backends, "outage") == 3_500);
            assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                    .isZero();
            // Each ride inserted once, or found stored already: a write that reached the store while the cut
            // took its answer away is retried, and its rides then count as duplicates (CI saw 3,289 + 211).
            assertThat(consumer.metrics().storedCount() + consumer.metrics().duplicateCount())
                    .isEqualTo(3_500);
            // Freshness: the rides held through the outage reached the store at least its 10 s after their 201.
            // (each batch is acked after its write and its summaries: the last ones a moment after they are stored)
            String metrics = Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "a lag for each of the 3,500 rides once acked",
                    () -> consumer.metrics().scrape(),
                    m -> sample(m, "liftline_ride_lag_seconds_count") == 3_500);
            assertThat(sample(metrics, "liftline_ride_lag_seconds_max"))
                    .as("the largest lag, s")
                    .isBetween(10.0, 60.0);
            assertThat(sample(metrics, "liftline_ride_lag_recent_seconds{quantile=\"0.99\"}"))
                    .as("p99 of the last minute, s")
                    .isGreaterThanOrEqualTo(9.0);
            assertThat(consumer.notReadyReason()).as("ready again").isNull();
        });
    }

    @Test
    void aHungStoreMakesTheWorkerNotReadyBeforeItsWriteTimesOutAndLosesNothing() throws Exception {
        throughAProxiedStore((proxy, consumer) -> {
            proxy.blackHole(); // a frozen store: connections stay open, nothing is answered or refused
            List<String> during = Rides.ids("hung-during", 200);
            Rides.publish(backends.rabbit().connection(), during);
            // Before the 10 s read timeout fails the write ("store unavailable ..."), the wait itself says it.
            String reason = Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "not ready while the store hangs",
                    consumer::notReadyReason,
                    r -> r != null);
            assertThat(reason).startsWith("store not answering: a write has waited ");
            assertThat(consumer.metrics().storedCount()).isZero();

            proxy.restore();
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "every ride stored after the store answered again",
                    () -> TestWorkers.stored(backends, "hung") == 200);
            Poll.waitAtMost(Duration.ofSeconds(30), "ready again", () -> consumer.notReadyReason() == null);
            assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                    .isZero();
        });
    }

    private interface ProxiedStoreTest {
        void run(TcpProxy proxy, ConsumerApp consumer) throws Exception;
    }

    /** Runs {@code test} with a subscribed worker whose store connections go through {@code proxy}. */
    private void throughAProxiedStore(ProxiedStoreTest test) throws Exception {
        URI store = URI.create(backends.mongo().uri());
        try (TcpProxy proxy = new TcpProxy(store.getHost(), store.getPort());
                ConsumerApp consumer = startThrough(proxy)) {
            Poll.waitAtMost(Duration.ofSeconds(20), "consumer subscribed", () -> consumer.notReadyReason() == null);
            test.run(proxy, consumer);
        }
    }

    private ConsumerApp startThrough(TcpProxy proxy) throws Exception {
        return ConsumerApp.start(ConsumerConfig.of(TestWorkers.settings(backends)
                .set(ConsumerConfig.MONGODB_URI, "mongodb://127.0.0.1:" + proxy.port())
                .set(ConsumerConfig.STORE_RETRY_MAX_BACKOFF, Duration.ofSeconds(1))));
    }

    private static double sample(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + " in:\n" + metrics));
    }
}
