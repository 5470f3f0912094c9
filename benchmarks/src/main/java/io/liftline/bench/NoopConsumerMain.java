package io.liftline.bench;

import io.liftline.consumer.ConsumerMain;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import java.util.List;

/** The consumer worker with a store that writes nothing: the benchmark's view of what the queue side costs alone. */
public final class NoopConsumerMain {

    private NoopConsumerMain() {}

    public static void main(String[] args) throws Exception {
        ConsumerMain.run(args, config -> new RideSink() {
            @Override
            public RideStore.WriteResult insert(List<LiftRide> batch) {
                return new RideStore.WriteResult(batch.size(), 0);
            }

            @Override
            public void summarize(List<LiftRide> stored) {
                // nothing stored, nothing to count
            }

            @Override
            public void createIndexes() {
                // nothing to index
            }
        });
    }
}
