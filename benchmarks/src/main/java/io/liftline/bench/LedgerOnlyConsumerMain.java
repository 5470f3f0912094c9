package io.liftline.bench;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import io.liftline.consumer.ConsumerMain;
import io.liftline.consumer.mongo.MongoRideSink;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * The consumer worker storing the raw rides and, of a read model, only each skier-day's ledger and counts, in the
 * cheapest form a store can update (top-level fields): the least an exact read model asks of the store, a
 * conditional update per skier-day of a batch. The benchmark's floor for the drain; never for production.
 */
public final class LedgerOnlyConsumerMain {

    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private LedgerOnlyConsumerMain() {}

    public static void main(String[] args) throws Exception {
        ConsumerMain.run(args, config -> {
            MongoClient client = MongoClients.create(config.mongodbUri());
            MongoCollection<Document> days =
                    client.getDatabase(config.mongodbDatabase()).getCollection("bench_skier_days");
            return new MongoRideSink(new RideStore(client, config.mongodbDatabase()), stored -> ledger(days, stored));
        });
    }

    /** One update per skier-day of the batch: its rides pushed to the ledger and counted, where it lacks them. */
    private static void ledger(MongoCollection<Document> days, List<LiftRide> stored) {
        Map<String, List<LiftRide>> byDay = new LinkedHashMap<>();
        for (LiftRide ride : stored) {
            String key = ride.resortId() + "/" + ride.seasonId() + "/" + ride.dayId() + "/" + ride.skierId();
            byDay.computeIfAbsent(key, k -> new ArrayList<>()).add(ride);
        }
        List<WriteModel<Document>> updates = new ArrayList<>();
        byDay.forEach((key, rides) -> {
            List<String> ids = rides.stream().map(LiftRide::eventId).toList();
            updates.add(new UpdateOneModel<>(
                    // as the documents MongoDB reads, like the real writer's (SummaryWriter.ledgered)
                    new Document("_id", key).append("events", new Document("$nin", ids)),
                    new Document("$push", new Document("events", new Document("$each", ids)))
                            .append(
                                    "$inc",
                                    new Document("rides", rides.size())
                                            .append(
                                                    "vertical",
                                                    rides.stream()
                                                            .mapToLong(LiftRide::vertical)
                                                            .sum())),
                    UPSERT));
        });
        if (updates.isEmpty()) {
            return; // a batch whose every ride was refused: the driver refuses an empty bulk write
        }
        try {
            days.bulkWrite(updates, new BulkWriteOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            // A duplicate key is a skier-day whose ledger holds some of these rides already (a redelivery). The
            // real writer then counts the others one by one; this floor leaves them, as the benchmark never
            // redelivers: it measures the cost of the first attempt, not a recovery.
            boolean onlyDuplicates = e.getWriteConcernError() == null
                    && e.getWriteErrors().stream()
                            .allMatch(w -> ErrorCategory.fromErrorCode(w.getCode()) == ErrorCategory.DUPLICATE_KEY);
            if (!onlyDuplicates) {
                throw e;
            }
        }
    }
}
