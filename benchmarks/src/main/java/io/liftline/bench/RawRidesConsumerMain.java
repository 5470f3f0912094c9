package io.liftline.bench;

import com.mongodb.client.MongoClients;
import io.liftline.consumer.ConsumerMain;
import io.liftline.consumer.mongo.MongoRideSink;
import io.liftline.store.RideStore;

/**
 * The consumer worker storing the raw rides and no read model: the benchmark's measure of what keeping the
 * summaries costs the drain. Never for production, where every worker must keep the summaries exact.
 */
public final class RawRidesConsumerMain {

    private RawRidesConsumerMain() {}

    public static void main(String[] args) throws Exception {
        ConsumerMain.run(
                args,
                config -> new MongoRideSink(
                        new RideStore(MongoClients.create(config.mongodbUri()), config.mongodbDatabase()),
                        stored -> {} /* the raw rides only */));
    }
}
