package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import io.liftline.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A broker alarm blocks publishers; workers must still drain the backlog that caused it. */
class ResourceAlarmIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @Test
    void workersDrainTheBacklogDuringAMemoryAlarmEvenWhenPoisonMustBeDeadLettered() throws Exception {
        // Poison first: its dead-letter copy is the worker's first publish after the alarm.
        Rides.publishRaw(
                backends.rabbit().connection(), "poison-during-alarm", 1, "{not json".getBytes(StandardCharsets.UTF_8));
        Rides.publish(backends.rabbit().connection(), Rides.ids("alarm", 300));
        ConsumerApp consumer = null;
        try {
            TestBroker.memoryAlarm(true);
            consumer = ConsumerApp.start(
                    ConsumerConfig.of(TestWorkers.settings(backends).set(ConsumerConfig.CONSUMERS, 1)));
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "every good ride stored during the alarm",
                    () -> TestWorkers.stored(backends, "alarm") == 300);
            // Acked, not just written: an ack on a connection the alarm blocked would never reach the broker.
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "lift-rides empty (nothing ready, nothing unacked) during the alarm",
                    () -> backends.rabbit().messages(Topology.QUEUE) == 0
                            && backends.rabbit().readyMessages(Topology.QUEUE) == 0);
        } finally {
            TestBroker.memoryAlarm(false);
        }
        try {
            // The copy may land too, once the alarm clears, beside the original the broker dead-lettered: a
            // duplicate dead letter is allowed, a lost one is not.
            long dead = Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "the poison in lift-rides.dead once the alarm cleared",
                    () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE),
                    n -> n >= 1);
            assertThat(dead).isBetween(1L, 2L);
            try (var channel = backends.rabbit().connection().createChannel()) {
                for (long i = 0; i < dead; i++) {
                    assertThat(channel.basicGet(Topology.DEAD_LETTER_QUEUE, true)
                                    .getProps()
                                    .getMessageId())
                            .isEqualTo("poison-during-alarm");
                }
            }
            assertThat(backends.rabbit().readyMessages(Topology.QUEUE)).isZero();
        } finally {
            consumer.close();
        }
    }
}
