package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Workers whose LIFTLINE_SHARDS differs from the producers' say so, instead of stranding rides silently. */
class ShardAgreementIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final Duration NOTICED = Duration.ofSeconds(20);

    private static ConsumerApp worker(int shards) throws Exception {
        ConsumerApp worker = ConsumerApp.start(
                ConsumerConfig.of(TestWorkers.settings(backends).set(ConsumerConfig.SHARDS, shards)));
        Poll.waitAtMost(NOTICED, "the worker ready", () -> worker.notReadyReason() == null);
        return worker;
    }

    @Test
    void aQueueBeyondTheWorkersShardCountMakesItNotReadyUntilItIsGone() throws Exception {
        try (ConsumerApp worker = worker(2);
                Channel channel = backends.rabbit().newConnection().createChannel()) {
            assertThat(worker.metrics().scrape()).contains("liftline_shards_mismatch 0.0");

            Topology.declare(channel, new Shards(3)); // a producer given three shards: lift-rides.2 appears
            String reason = notReadyNaming(worker, "lift-rides.2");
            assertThat(reason).contains("a producer publishes to more shards than this worker's LIFTLINE_SHARDS=2");
            assertThat(worker.metrics().scrape()).contains("liftline_shards_mismatch 1.0");

            channel.queueDelete("lift-rides.2");
            Poll.waitAtMost(NOTICED, "ready again once the counts agree", () -> worker.notReadyReason() == null);
            assertThat(worker.metrics().scrape()).contains("liftline_shards_mismatch 0.0");
        }
    }

    @Test
    void ridesInTheUnshardedQueueMakeAShardedWorkerNotReady() throws Exception {
        try (ConsumerApp worker = worker(2);
                Channel channel = backends.rabbit().newConnection().createChannel()) {
            Topology.declare(channel, Shards.ONE); // lift-rides, bound to "ride", as a one-shard producer declares it
            channel.basicPublish(
                    Topology.EXCHANGE,
                    Topology.ROUTING_KEY,
                    new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    "{}".getBytes(StandardCharsets.UTF_8));
            String reason = notReadyNaming(worker, "lift-rides holds");
            assertThat(reason).contains("a producer with LIFTLINE_SHARDS=1 publishes there");

            channel.queuePurge(Topology.QUEUE);
            Poll.waitAtMost(NOTICED, "ready again once nothing is stranded", () -> worker.notReadyReason() == null);
        }
    }

    /** Waits until the worker is not ready for a reason that names {@code what}, and returns the reason. */
    private static String notReadyNaming(ConsumerApp worker, String what) throws Exception {
        return Poll.waitAtMost(
                NOTICED, "readiness names " + what, worker::notReadyReason, r -> r != null && r.contains(what));
    }
}
