package io.liftline.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.model.LiftRide;
import io.liftline.testing.MongoTestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A skier-day counts at most its limit of rides; the rest are refused before they are stored, and none else is. */
class SkierDayLimitIT {

    private static final int LIMIT = Summaries.MAX_RIDES_PER_SKIER_DAY;

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    private Summaries summaries;
    private RideStore rides;
    private SummaryWriter writer;

    @BeforeEach
    void emptyStore() {
        mongo.database().drop();
        summaries = new Summaries(mongo.database());
        rides = new RideStore(mongo.client(), mongo.databaseName());
        writer = new SummaryWriter(summaries);
    }

    /** Rides {@code from..from+count} of skier 4242 on day 17 at resort 3, as a scanner stuck on one skier sends them. */
    private static List<LiftRide> stuck(int from, int count) {
        List<LiftRide> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(ride("stuck-" + i, 4242));
        }
        return list;
    }

    private static LiftRide ride(String eventId, int skier) {
        return new LiftRide(eventId, 3, "2025", 17, skier, 217, 21, Instant.parse("2025-01-17T10:00:00Z"));
    }

    /** Stores and counts the rides the limit lets in, in batches of 200 as a worker does; returns those refused. */
    private List<LiftRide> ingest(SummaryWriter by, List<LiftRide> list) {
        List<LiftRide> refused = new ArrayList<>();
        for (int i = 0; i < list.size(); i += 200) {
            List<LiftRide> batch = list.subList(i, Math.min(list.size(), i + 200));
            Set<Integer> full = refusedIndexes(by.insertWithinLimit(rides, batch));
            List<LiftRide> stored = new ArrayList<>();
            for (int j = 0; j < batch.size(); j++) {
                (full.contains(j) ? refused : stored).add(batch.get(j));
            }
            by.apply(stored);
        }
        return refused;
    }

    private static Set<Integer> refusedIndexes(RideStore.WriteResult result) {
        Set<Integer> indexes = new TreeSet<>();
        for (RideStore.Rejected r : result.rejected()) {
            assertThat(r.reason()).isEqualTo(RideStore.SKIER_DAY_FULL);
            indexes.add(r.index());
        }
        return indexes;
    }

    private long storedOf(int skier) {
        return mongo.database().getCollection(RideStore.COLLECTION).countDocuments(new Document("skierId", skier));
    }

    @Test
    void aSkierDayCountsRidesUpToItsLimitAndTheRestAreRefusedBeforeTheyAreStored() {
        List<LiftRide> refused = ingest(writer, stuck(0, LIMIT + 150));

        assertThat(refused)
                .extracting(LiftRide::eventId)
                .containsExactlyElementsOf(
                        stuck(LIMIT, 150).stream().map(LiftRide::eventId).toList());
        assertThat(storedOf(4242)).isEqualTo(LIMIT);
        assertThat(new SummaryCheck(summaries).differences(null, null)).isEmpty();
    }

    @Test
    void theRidesOfABatchBeyondTheLimitAreRefusedAndTheOtherSkiersOfTheBatchAreNot() {
        ingest(writer, stuck(0, LIMIT - 5));
        List<LiftRide> batch = new ArrayList<>(stuck(LIMIT - 5, 10));
        batch.add(3, ride("other-1", 7));
        batch.add(ride("other-2", 8));

        RideStore.WriteResult result = writer.insertWithinLimit(rides, batch);

        // Indexes 0..2 and 4..5 take the day's last five places; 6..10 are beyond them; 3 and 11 are other skiers'.
        assertThat(refusedIndexes(result)).containsExactly(6, 7, 8, 9, 10);
        assertThat(result.inserted()).isEqualTo(7);
        assertThat(result.rejected().get(0).detail())
                .isEqualTo("skier 4242's day 17 of season 2025 at resort 3 is full: a skier-day counts at most " + LIMIT
                        + " rides");
    }

    @Test
    void aRideOfAFullDayThatIsCountedOrStoredAlreadyIsNeverRefused() {
        ingest(writer, stuck(0, LIMIT));
        LiftRide storedNotCounted = ride("stored-before-its-worker-died", 4242);
        rides.insert(List.of(storedNotCounted));
        LiftRide redelivered = stuck(0, 1).get(0);
        LiftRide beyond = ride("one-too-many", 4242);

        List<LiftRide> refused = ingest(writer, List.of(redelivered, storedNotCounted, beyond));

        assertThat(refused).containsExactly(beyond);
        assertThat(new SummaryCheck(summaries).differences(null, null))
                .as("the stored ride is counted, past the limit by one")
                .isEmpty();
        assertThat(storedOf(4242)).isEqualTo(LIMIT + 1);
    }

    @Test
    void aWriterThatNeverSawTheDayRefusesItsRidesOnceItHasCountedOneBatchOfIt() {
        ingest(writer, stuck(0, LIMIT));
        SummaryWriter restarted = new SummaryWriter(summaries);

        assertThat(ingest(restarted, stuck(LIMIT, 3)))
                .as("the first batch, of a day it does not know and that the batch alone does not fill")
                .isEmpty();
        assertThat(ingest(restarted, stuck(LIMIT + 3, 3))).hasSize(3);
        assertThat(ingest(restarted, stuck(LIMIT + 6, LIMIT + 1)))
                .as("a batch that fills a day on its own is checked against what is stored")
                .hasSize(LIMIT + 1);
        assertThat(storedOf(4242)).isEqualTo(LIMIT + 3);
        assertThat(new SummaryCheck(summaries).differences(null, null)).isEmpty();
    }

    @Test
    void batchesLetInTogetherShareTheDaysRoomBeforeEitherIsCounted() {
        List<LiftRide> first = stuck(0, 600);
        List<LiftRide> second = stuck(600, 600);

        assertThat(writer.insertWithinLimit(rides, first).rejected()).isEmpty();
        assertThat(refusedIndexes(writer.insertWithinLimit(rides, second)))
                .as("the second batch has the 400 places the first left")
                .hasSize(200)
                .startsWith(400);
        writer.apply(first);
        writer.apply(second.subList(0, 400));

        assertThat(storedOf(4242)).isEqualTo(LIMIT);
        assertThat(new SummaryCheck(summaries).differences(null, null)).isEmpty();
    }

    @Test
    void aBatchWrittenAgainAfterAFailureGetsTheSameAnswer() {
        ingest(writer, stuck(0, LIMIT - 50));
        List<LiftRide> batch = stuck(LIMIT - 50, 100);

        Set<Integer> once = refusedIndexes(writer.insertWithinLimit(rides, batch));
        Set<Integer> again = refusedIndexes(writer.insertWithinLimit(rides, batch));

        assertThat(once).hasSize(50).isEqualTo(again);
    }

    @Test
    void belowTheLimitTheCheckReadsNothing() {
        AtomicInteger reads = new AtomicInteger();
        com.mongodb.event.CommandListener listener = new com.mongodb.event.CommandListener() {
            @Override
            public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                if (event.getCommandName().equals("find")) {
                    reads.incrementAndGet();
                }
            }
        };
        try (com.mongodb.client.MongoClient client =
                com.mongodb.client.MongoClients.create(com.mongodb.MongoClientSettings.builder()
                        .applyConnectionString(new com.mongodb.ConnectionString(mongo.uri()))
                        .addCommandListener(listener)
                        .build())) {
            SummaryWriter watched = new SummaryWriter(new Summaries(client.getDatabase(mongo.databaseName())));
            ingest(watched, stuck(0, 200));
            reads.set(0);

            assertThat(watched.insertWithinLimit(rides, stuck(200, 200)).rejected())
                    .isEmpty();
            assertThat(reads.get()).isZero();
        }
    }
}
