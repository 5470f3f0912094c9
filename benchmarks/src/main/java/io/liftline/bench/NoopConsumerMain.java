package io.liftline.bench;

import io.liftline.consumer.ConsumerMain;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.consumer.mongo.RideStore;
import io.liftline.model.LiftRide;
import java.util.List;

/** The consumer worker with a store that writes nothing: the benchmark's view of what the queue side costs alone. */
public final class NoopConsumerMain {

    private NoopConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsumerMain.run(args, new RideSink() {
            @Override
            public RideStore.WriteResult insert(List<LiftRide> batch) {
                return new RideStore.WriteResult(batch.size(), 0);
            }

            @Override
            public void createIndexes() {
                // nothing to index
            }
        });
    }
}
