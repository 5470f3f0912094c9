package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.mongo.MongoRideSink;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryCheck;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A scanner stuck on one skier fills that skier's day; its rides beyond are dead-lettered, and nothing else stalls. */
class StuckScannerIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @Test
    void ridesBeyondWhatTheirSkierDayCountsAreDeadLetteredAndEveryOtherRideIsStoredAndCounted() throws Exception {
        int limit = Summaries.MAX_RIDES_PER_SKIER_DAY;
        ConsumerApp consumer = ConsumerApp.start(
                ConsumerConfig.of(TestWorkers.settings(backends).set(ConsumerConfig.CONSUMERS, 1)));
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Poll.waitAtMost(Duration.ofSeconds(20), "consumer subscribed", () -> consumer.notReadyReason() == null);
            channel.queuePurge(Topology.DEAD_LETTER_QUEUE);
            // ride(id, 4_241) is skier 4242's, always on the same day.
            Rides.publishOneSkierDay(backends.rabbit().connection(), Rides.ids("stuck", limit + 20), 4_241);
            Rides.publish(backends.rabbit().connection(), Rides.ids("others", 50), 5_000);

            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "20 rides dead-lettered and lift-rides drained",
                    () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 20
                            && backends.rabbit().messages(Topology.QUEUE) == 0);
            assertThat(TestWorkers.stored(backends, "stuck")).isEqualTo(limit);
            assertThat(TestWorkers.stored(backends, "others")).isEqualTo(50);
            for (int i = 0; i < 20; i++) {
                GetResponse dead = channel.basicGet(Topology.DEAD_LETTER_QUEUE, true);
                assertThat(dead.getProps().getMessageId()).startsWith("stuck-");
                assertThat(dead.getProps().getHeaders().get("x-liftline-reason"))
                        .hasToString("skier-day-full");
                assertThat(dead.getProps().getHeaders().get("x-liftline-detail").toString())
                        .contains("skier 4242's day")
                        .contains("at most " + limit + " rides");
            }
            assertThat(new SummaryCheck(new Summaries(backends.mongo().database())).differences(null, null))
                    .as("the summaries count what is stored, no more")
                    .isEmpty();
        } finally {
            consumer.close();
        }
    }

    @Test
    void aBatchWithRidesOfAFullDayAndAConflictRejectsEachByItsOwnIndexAndStoresTheRest() {
        MongoRideSink sink =
                new MongoRideSink(backends.mongo().client(), backends.mongo().databaseName());
        List<LiftRide> fill = new ArrayList<>();
        for (int i = 0; i < Summaries.MAX_RIDES_PER_SKIER_DAY; i++) {
            fill.add(ride("full-" + i, 77, 5));
        }
        sink.insert(fill);
        sink.summarize(fill);
        LiftRide first = ride("conflict", 88, 5);
        sink.insert(List.of(first));
        sink.summarize(List.of(first));

        List<LiftRide> batch = List.of(
                ride("fine-1", 99, 5),
                ride("beyond-1", 77, 5),
                ride("conflict", 88, 6), // the same event id, another time: another ride
                ride("beyond-2", 77, 5),
                ride("fine-2", 99, 6));
        RideStore.WriteResult result = sink.insert(batch);

        assertThat(result.rejected())
                .extracting(RideStore.Rejected::index, RideStore.Rejected::reason)
                .containsExactlyInAnyOrder(
                        tuple(1, RideStore.SKIER_DAY_FULL),
                        tuple(2, RideStore.CONFLICTING_DUPLICATE),
                        tuple(3, RideStore.SKIER_DAY_FULL));
        assertThat(result.inserted()).isEqualTo(2);
        assertThat(TestWorkers.stored(backends, "fine")).isEqualTo(2);
        assertThat(TestWorkers.stored(backends, "beyond")).isZero();
        sink.summarize(List.of(batch.get(0), batch.get(4)));
    }

    /** A ride on day 7 at resort 1. */
    private static LiftRide ride(String eventId, int skier, int time) {
        return new LiftRide(eventId, 1, "2025", 7, skier, time, 3, Instant.parse("2025-01-07T10:00:00Z"));
    }
}
