package io.liftline.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.liftline.testing.MongoTestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** --verify against a real store: it must see every way a run's rides can be stored wrong. */
class VerifierIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    private static final int EVENTS = 200;

    private static Document stored(String id, RunRides.Ride ride) {
        return new Document("_id", id)
                .append("resortId", ride.resortId())
                .append("seasonId", RunRides.SEASON)
                .append("dayId", RunRides.DAY)
                .append("skierId", ride.skierId())
                .append("time", ride.time())
                .append("liftId", ride.liftId())
                .append("vertical", ride.liftId() * 10)
                .append("receivedAt", new Date());
    }

    /** Stores the run's rides as the consumer would, and returns what the simulator would have accepted. */
    private static Map<String, Integer> storeRun(String runId, boolean keyed) {
        RunRides run = new RunRides(runId);
        List<Document> documents = new ArrayList<>();
        Map<String, Integer> accepted = new HashMap<>();
        for (int n = 0; n < EVENTS; n++) {
            String id = keyed ? runId + "-" + n : java.util.UUID.randomUUID().toString();
            documents.add(stored(id, run.ride(n)));
            accepted.put(id, n);
        }
        mongo.database().getCollection("rides").insertMany(documents);
        return accepted;
    }

    private static Verifier.Result verify(String runId, Map<String, Integer> accepted, boolean keyed, Instant start)
            throws Exception {
        return Verifier.verify(
                mongo.uri(),
                mongo.databaseName(),
                runId,
                new RunRides(runId),
                EVENTS,
                accepted,
                keyed,
                start,
                Duration.ofSeconds(10));
    }

    @Test
    void anIntactRunVerifiesClean() throws Exception {
        Instant start = Instant.now();
        Map<String, Integer> accepted = storeRun("intact", true);
        Verifier.Result result = verify("intact", accepted, true, start);
        assertThat(result.summary()).isEqualTo("verified: 200 accepted, 200 stored, 0 missing, 0 altered, 0 duplicate");
        assertThat(result.lossless()).isTrue();
    }

    @Test
    void findsAMissingAnAlteredAndATwiceStoredRide() throws Exception {
        String runId = "tampered";
        Instant start = Instant.now();
        Map<String, Integer> accepted = storeRun(runId, true);
        MongoCollection<Document> rides = mongo.database().getCollection("rides");
        RunRides sent = new RunRides(runId);
        rides.deleteOne(Filters.eq("_id", runId + "-3"));
        rides.updateOne(
                Filters.eq("_id", runId + "-5"),
                Updates.set("liftId", sent.ride(5).liftId() % 40 + 1));
        rides.insertOne(stored(runId + "-copy-of-9", sent.ride(9)));

        Verifier.Result result = verify(runId, accepted, true, start);
        assertThat(result.missing()).containsExactly(runId + "-3");
        assertThat(result.altered()).containsExactly(runId + "-5");
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(result.lossless()).isFalse();
        assertThat(result.summary()).contains("1 missing, 1 altered, 1 duplicate");
    }

    @Test
    void withoutIdempotencyKeysARideStoredTwiceUnderTwoIdsIsCountedByItsContent() throws Exception {
        String runId = "unkeyed";
        Instant start = Instant.now();
        Map<String, Integer> accepted = storeRun(runId, false);
        // A retry after a lost 201: the producer assigned a new id, the ride is stored again.
        mongo.database()
                .getCollection("rides")
                .insertOne(stored(java.util.UUID.randomUUID().toString(), new RunRides(runId).ride(42)));
        // Another run's ride on the same day is none of this run's business.
        mongo.database().getCollection("rides").insertOne(stored("other-run-1", new RunRides("other-run").ride(1)));

        Verifier.Result result = verify(runId, accepted, false, start);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(result.missing()).isEmpty();
        assertThat(result.altered()).isEmpty();
        assertThat(result.stored()).isEqualTo(EVENTS + 1);
    }

    @Test
    void aRunOfMorePagesThanOneIsVerifiedWhole() throws Exception {
        String runId = "large";
        RunRides run = new RunRides(runId);
        int events = 45_000; // over two pages of 20,000
        List<Document> documents = new ArrayList<>();
        Map<String, Integer> accepted = new HashMap<>();
        for (int n = 0; n < events; n++) {
            documents.add(stored(runId + "-" + n, run.ride(n)));
            accepted.put(runId + "-" + n, n);
        }
        mongo.database().getCollection("rides").insertMany(documents);
        Verifier.Result result = Verifier.verify(
                mongo.uri(),
                mongo.databaseName(),
                runId,
                run,
                events,
                accepted,
                true,
                Instant.now().minusSeconds(60),
                Duration.ofSeconds(5));
        assertThat(result.summary())
                .isEqualTo("verified: 45000 accepted, 45000 stored, 0 missing, 0 altered, 0 duplicate");
    }

    @Test
    void anUnkeyedRunWaitsForItsOwnRidesNotForAnyRidesOfTheWindow() throws Exception {
        Instant start = Instant.now();
        storeRun("earlier-run-same-day", false); // as many rides of another run, in the same window, already stored
        String runId = "late";
        RunRides run = new RunRides(runId);
        Map<String, Integer> accepted = new HashMap<>();
        List<Document> documents = new ArrayList<>();
        for (int n = 0; n < EVENTS; n++) {
            String id = java.util.UUID.randomUUID().toString();
            documents.add(stored(id, run.ride(n)));
            accepted.put(id, n);
        }
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(1_500); // the workers are still draining when the load ends
            } catch (InterruptedException e) {
                return;
            }
            mongo.database().getCollection("rides").insertMany(documents);
        });
        late.start();
        Verifier.Result result = verify(runId, accepted, false, start);
        late.join();
        assertThat(result.missing()).isEmpty();
        assertThat(result.stored()).isEqualTo(EVENTS);
    }
}
