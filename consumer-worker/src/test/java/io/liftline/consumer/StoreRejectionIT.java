package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A ride the store refuses on its own is dead-lettered; it never stalls the rides behind it. */
class StoreRejectionIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @Test
    void aRideTheStoreRejectsGoesToTheDeadLetterQueueAndTheOthersAreStored() throws Exception {
        // An operator's constraint the rides were not written for: one ride per skier, day and minute.
        backends.mongo()
                .database()
                .getCollection("rides")
                .createIndex(
                        Indexes.ascending("skierId", "dayId", "time"),
                        new IndexOptions().unique(true).name("one_scan_per_minute"));
        ConsumerApp consumer = ConsumerApp.start(ConsumerConfig.of(
                TestWorkers.settings(backends).set(ConsumerConfig.CONSUMERS, 1).set(ConsumerConfig.BATCH_SIZE, 100)));
        try {
            Poll.waitAtMost(Duration.ofSeconds(20), "consumer subscribed", () -> consumer.notReadyReason() == null);
            // Rides.ride(id, n) derives skier, day and time from n: "clash" repeats n = 7 under another event id.
            Rides.publish(backends.rabbit().connection(), Rides.ids("ok", 50));
            Poll.waitAtMost(
                    Duration.ofSeconds(20), "the first rides stored", () -> TestWorkers.stored(backends, "ok") == 50);
            Rides.publish(backends.rabbit().connection(), Rides.ids("later", 30), 50);
            Rides.publish(backends.rabbit().connection(), List.of("clash-7"), 7);
            Rides.publish(backends.rabbit().connection(), Rides.ids("later-b", 29), 80);

            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "every other ride stored",
                    () -> TestWorkers.stored(backends, "later") == 59);
            assertTheOneDeadLetter("clash-7", "store-rejected", "11000");
            assertThat(backends.mongo().database().getCollection("rides").countDocuments(Filters.eq("_id", "clash-7")))
                    .isZero();
        } finally {
            consumer.close();
        }
    }

    @Test
    void anEventIdStoredWithAnotherRideIsDeadLetteredAsAConflictAndNeverOverwritten() throws Exception {
        ConsumerApp consumer = ConsumerApp.start(
                ConsumerConfig.of(TestWorkers.settings(backends).set(ConsumerConfig.CONSUMERS, 1)));
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Poll.waitAtMost(Duration.ofSeconds(20), "consumer subscribed", () -> consumer.notReadyReason() == null);
            channel.queuePurge(Topology.DEAD_LETTER_QUEUE);
            Rides.publish(backends.rabbit().connection(), List.of("gate7-000124"), 1_000);
            Poll.waitAtMost(
                    Duration.ofSeconds(20),
                    "the first ride stored",
                    () -> backends.mongo()
                                    .database()
                                    .getCollection("rides")
                                    .countDocuments(Filters.eq("_id", "gate7-000124"))
                            == 1);
            org.bson.Document first = backends.mongo()
                    .database()
                    .getCollection("rides")
                    .find(Filters.eq("_id", "gate7-000124"))
                    .first();

            // The same ride again (a client's retry): a harmless duplicate. Another ride under the id: a conflict.
            Rides.publish(backends.rabbit().connection(), List.of("gate7-000124"), 1_000);
            Rides.publish(backends.rabbit().connection(), List.of("gate7-000124"), 2_000);

            assertTheOneDeadLetter("gate7-000124", "conflicting-duplicate", "gate7-000124 is stored with another ride");
            assertThat(backends.mongo()
                            .database()
                            .getCollection("rides")
                            .find(Filters.eq("_id", "gate7-000124"))
                            .first())
                    .as("the stored ride untouched")
                    .isEqualTo(first);
            assertThat(consumer.metrics().duplicateCount())
                    .as("the retry counted as a duplicate")
                    .isEqualTo(1);
        } finally {
            consumer.close();
        }
    }

    /** One ride is dead-lettered, with its reason and a detail that says why; the ride queue is drained after it. */
    private static void assertTheOneDeadLetter(String eventId, String reason, String detail) throws Exception {
        Poll.waitAtMost(
                Duration.ofSeconds(30),
                eventId + " dead-lettered",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 1);
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            GetResponse dead = channel.basicGet(Topology.DEAD_LETTER_QUEUE, true);
            assertThat(dead.getProps().getMessageId()).isEqualTo(eventId);
            assertThat(dead.getProps().getHeaders().get("x-liftline-reason")).hasToString(reason);
            assertThat(dead.getProps().getHeaders().get("x-liftline-detail").toString())
                    .contains(detail);
        }
        Poll.waitAtMost(
                Duration.ofSeconds(20),
                "lift-rides drained",
                () -> backends.rabbit().messages(Topology.QUEUE) == 0);
    }
}
