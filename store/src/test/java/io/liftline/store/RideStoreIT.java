package io.liftline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.liftline.model.LiftRide;
import io.liftline.store.RideStore.Rejected;
import io.liftline.testing.MongoTestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The raw rides over a real socket: a batch sent again is duplicates, a ride changed under a stored id a conflict. */
class RideStoreIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    @Test
    void aBatchLargerThanOneQueryStoredAgainIsDuplicatesExceptTheRideChangedUnderItsIdWhichIsAConflict() {
        mongo.database().drop();
        RideStore store = new RideStore(mongo.client(), mongo.databaseName());
        List<LiftRide> batch = new ArrayList<>();
        for (int i = 0; i < ById.IDS_PER_QUERY + 150; i++) {
            batch.add(new LiftRide("again-" + i, 1, "2025", 3, 1 + i, 1 + i % 360, 1 + i % 40, Instant.EPOCH));
        }
        assertThat(store.insert(batch).inserted()).isEqualTo(batch.size());

        // The stored rides are read back to tell a redelivery from a conflict; the changed one is in the last chunk.
        List<LiftRide> again = new ArrayList<>(batch);
        int last = batch.size() - 1;
        LiftRide changed = batch.get(last);
        again.set(
                last,
                new LiftRide(
                        changed.eventId(),
                        changed.resortId(),
                        changed.seasonId(),
                        changed.dayId(),
                        changed.skierId(),
                        changed.time(),
                        changed.liftId() % 40 + 1,
                        changed.receivedAt()));
        RideStore.WriteResult result = store.insert(again);

        assertThat(result.inserted()).isZero();
        assertThat(result.duplicates()).isEqualTo(batch.size() - 1);
        assertThat(result.rejected())
                .extracting(Rejected::index, Rejected::reason)
                .containsExactly(tuple(last, RideStore.CONFLICTING_DUPLICATE));
    }
}
