package io.liftline.consumer.mongo;

import com.mongodb.client.MongoClient;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import java.util.List;

/** The raw rides collection and the read model kept beside it. */
public final class MongoRideSink implements RideSink {

    private final RideStore rides;
    private final SummaryWriter summaries;

    public MongoRideSink(MongoClient client, String database) {
        this.rides = new RideStore(client, database);
        this.summaries = new SummaryWriter(new Summaries(client.getDatabase(database)));
    }

    @Override
    public RideStore.WriteResult insert(List<LiftRide> batch) {
        return rides.insert(batch);
    }

    @Override
    public void summarize(List<LiftRide> stored) {
        summaries.apply(stored);
    }

    @Override
    public void createIndexes() {
        rides.createIndexes();
    }
}
