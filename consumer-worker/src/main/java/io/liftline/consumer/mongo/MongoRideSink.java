package io.liftline.consumer.mongo;

import com.mongodb.client.MongoClient;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import java.util.List;
import java.util.function.Consumer;

/** The raw rides collection and the read model kept beside it. */
public final class MongoRideSink implements RideSink {

    private final RideStore rides;
    private final Consumer<List<LiftRide>> summaries;

    public MongoRideSink(MongoClient client, String database) {
        this(new RideStore(client, database), new SummaryWriter(new Summaries(client.getDatabase(database)))::apply);
    }

    /** The raw rides, and what counts them once stored: the read model's writer, or a benchmark's partial one. */
    public MongoRideSink(RideStore rides, Consumer<List<LiftRide>> summaries) {
        this.rides = rides;
        this.summaries = summaries;
    }

    @Override
    public RideStore.WriteResult insert(List<LiftRide> batch) {
        return rides.insert(batch);
    }

    @Override
    public void summarize(List<LiftRide> stored) {
        summaries.accept(stored);
    }

    @Override
    public void createIndexes() {
        rides.createIndexes();
    }
}
