package io.liftline.bench;

import com.mongodb.client.MongoClients;
import io.liftline.consumer.ConsumerMain;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import java.util.List;

/**
 * The consumer worker storing the raw rides and no read model: the benchmark's measure of what keeping the
 * summaries costs the drain. Never for production, where every worker must keep the summaries exact.
 */
public final class RawRidesConsumerMain {

    private RawRidesConsumerMain() {}

    public static void main(String[] args) throws Exception {
        ConsumerMain.run(args, config -> {
            RideStore rides = new RideStore(MongoClients.create(config.mongodbUri()), config.mongodbDatabase());
            return new RideSink() {
                @Override
                public RideStore.WriteResult insert(List<LiftRide> batch) {
                    return rides.insert(batch);
                }

                @Override
                public void summarize(List<LiftRide> stored) {
                    // the raw rides only
                }

                @Override
                public void createIndexes() {
                    rides.createIndexes();
                }
            };
        });
    }
}
