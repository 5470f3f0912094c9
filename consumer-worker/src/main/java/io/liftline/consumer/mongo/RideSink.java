package io.liftline.consumer.mongo;

import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import java.util.List;

/** Where consumed rides go: MongoDB in production ({@link MongoRideSink}); a no-op in the consumer benchmark. */
public interface RideSink {

    /** Writes the batch idempotently; throws when it could not, so the batch is retried and stays unacked. */
    RideStore.WriteResult insert(List<LiftRide> batch);

    /**
     * Counts rides that are stored (inserted now, or found stored with the same content) into the read model. Called
     * for redelivered rides too, so it must be idempotent; throws when it could not, and is then called again.
     */
    void summarize(List<LiftRide> stored);

    /** Creates what the sink needs (indexes); called once at start, must be idempotent. */
    void createIndexes();
}
