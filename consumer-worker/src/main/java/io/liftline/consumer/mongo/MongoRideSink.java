package io.liftline.consumer.mongo;

import com.mongodb.client.MongoClient;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The raw rides collection and the read model kept beside it. */
public final class MongoRideSink implements RideSink {

    private final RideStore rides;
    private final Function<List<LiftRide>, RideStore.WriteResult> insert;
    private final Consumer<List<LiftRide>> summaries;

    public MongoRideSink(MongoClient client, String database) {
        this(new RideStore(client, database), new SummaryWriter(new Summaries(client.getDatabase(database))));
    }

    private MongoRideSink(RideStore rides, SummaryWriter writer) {
        // Within the skier-days' limit: a ride its day cannot count is never stored (docs/stored-rides.md).
        this(rides, batch -> writer.insertWithinLimit(rides, batch), writer::apply);
    }

    /** The raw rides, and what counts them once stored: a benchmark's partial read model, which has no limit. */
    public MongoRideSink(RideStore rides, Consumer<List<LiftRide>> summaries) {
        this(rides, rides::insert, summaries);
    }

    private MongoRideSink(
            RideStore rides,
            Function<List<LiftRide>, RideStore.WriteResult> insert,
            Consumer<List<LiftRide>> summaries) {
        this.rides = rides;
        this.insert = insert;
        this.summaries = summaries;
    }

    @Override
    public RideStore.WriteResult insert(List<LiftRide> batch) {
        return insert.apply(batch);
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
