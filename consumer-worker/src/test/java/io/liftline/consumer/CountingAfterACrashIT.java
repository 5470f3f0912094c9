package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.mongo.MongoRideSink;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryCheck;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker that dies between storing a batch and counting it into the read model (a kill -9 at the worst moment):
 * the rides are stored, not counted, not acked. The broker gives them to the next worker, which finds them stored
 * already and counts them, once. Real broker, real store, over sockets.
 */
class CountingAfterACrashIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static ConsumerConfig config() {
        return ConsumerConfig.of(TestWorkers.settings(backends)
                .set(ConsumerConfig.CONSUMERS, 1)
                .set(ConsumerConfig.BATCH_SIZE, 200)
                .set(ConsumerConfig.BATCH_TIMEOUT, Duration.ofMillis(300))
                .set(ConsumerConfig.SHUTDOWN_TIMEOUT, Duration.ofSeconds(1)));
    }

    @Test
    void aBatchStoredButNotCountedWhenItsWorkerDiedIsCountedOnceByTheWorkerThatTakesItOver() throws Exception {
        CountDownLatch storedNotCounted = new CountDownLatch(1);
        MongoRideSink real =
                new MongoRideSink(backends.mongo().client(), backends.mongo().databaseName());
        RideSink diesBeforeCounting = new RideSink() {
            @Override
            public RideStore.WriteResult insert(List<LiftRide> batch) {
                return real.insert(batch);
            }

            @Override
            public void summarize(List<LiftRide> stored) {
                storedNotCounted.countDown();
                try {
                    new CountDownLatch(1).await(); // dead: nothing more happens here, no count, no ack
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("the worker is gone");
                }
            }

            @Override
            public void createIndexes() {
                real.createIndexes();
            }
        };
        List<String> ids = Rides.ids("crash", 200);
        ConsumerApp dying = ConsumerApp.start(config(), diesBeforeCounting);
        try {
            Rides.publish(backends.rabbit().connection(), ids);
            assertThat(storedNotCounted.await(30, TimeUnit.SECONDS))
                    .as("the batch stored")
                    .isTrue();
        } finally {
            dying.close(); // its channel closes with the batch unacked: the broker delivers it again
        }
        assertThat(backends.mongo()
                        .database()
                        .getCollection(RideStore.COLLECTION)
                        .countDocuments(Filters.regex("_id", "^crash-")))
                .isEqualTo(200);
        SummaryCheck check = new SummaryCheck(new Summaries(backends.mongo().database()));
        assertThat(check.differences(null, null)).as("stored, not counted").isNotEmpty();

        ConsumerApp next = ConsumerApp.start(config());
        try {
            List<SummaryCheck.Difference> left = Poll.waitAtMost(
                    Duration.ofSeconds(30), "the summaries exact", () -> check.differences(null, null), List::isEmpty);
            assertThat(left).isEmpty();
            assertThat(backends.mongo()
                            .database()
                            .getCollection(RideStore.COLLECTION)
                            .countDocuments(Filters.regex("_id", "^crash-")))
                    .as("stored once")
                    .isEqualTo(200);
        } finally {
            next.close();
        }
    }
}
