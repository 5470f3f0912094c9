package io.liftline.consumer.mongo;

import io.liftline.model.LiftRide;
import java.util.List;

/** Where consumed rides go: MongoDB in production ({@link RideStore}); a no-op in the consumer benchmark. */
public interface RideSink {

    /** Writes the batch idempotently; throws when it could not, so the batch is retried and stays unacked. */
    RideStore.WriteResult insert(List<LiftRide> batch);

    /** Creates what the sink needs (indexes); called once at start, must be idempotent. */
    void createIndexes();
}
