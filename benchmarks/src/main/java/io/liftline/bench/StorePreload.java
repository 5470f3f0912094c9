package io.liftline.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code StorePreload MONGODB_URI DATABASE COUNT PREFIX}: stores COUNT rides of the simulator's shape (season 2025,
 * day 1, resorts 1..10, skiers 1..100,000) straight into the store and counts them into the read model, as workers do,
 * in batches of 1,000: a large stored season without the hours a pipeline would take to ingest it.
 */
public final class StorePreload {

    private static final int BATCH = 1_000;

    private StorePreload() {}

    public static void main(String[] args) {
        String uri = args[0];
        String database = args[1];
        int count = Integer.parseInt(args[2]);
        String prefix = args[3];
        SplittableRandom random = new SplittableRandom(prefix.hashCode());
        long start = System.nanoTime();
        try (MongoClient client = MongoClients.create(uri)) {
            RideStore rides = new RideStore(client, database);
            rides.createIndexes();
            SummaryWriter summaries = new SummaryWriter(new Summaries(client.getDatabase(database)));
            Instant now = Instant.now();
            for (int done = 0; done < count; done += BATCH) {
                List<LiftRide> batch = new ArrayList<>(BATCH);
                for (int i = done; i < Math.min(count, done + BATCH); i++) {
                    batch.add(new LiftRide(
                            prefix + "-" + i,
                            random.nextInt(1, 11),
                            "2025",
                            1,
                            random.nextInt(1, 100_001),
                            random.nextInt(1, 361),
                            random.nextInt(1, 41),
                            now));
                }
                rides.insert(batch);
                summaries.apply(batch);
                if ((done / BATCH) % 100 == 99) {
                    System.out.printf(
                            "  %d rides stored and counted (%.0f s)%n",
                            done + BATCH, (System.nanoTime() - start) / 1e9);
                }
            }
        }
        System.out.printf(
                "preloaded %d rides into the store and the read model in %.1f s%n",
                count, (System.nanoTime() - start) / 1e9);
    }
}
