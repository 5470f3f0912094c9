package io.liftline.consumer.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import io.liftline.model.LiftRide;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/** The rides collection: batched, idempotent inserts keyed by event id, and the analysts' indexes. */
public final class RideStore implements RideSink {

    public static final String COLLECTION = "rides";

    /** What one batch write did: new rides stored, and rides that were already there. */
    public record WriteResult(int inserted, int duplicates) {
    }

    private static final InsertManyOptions UNORDERED = new InsertManyOptions().ordered(false);

    private final MongoCollection<Document> rides;

    public RideStore(MongoClient client, String database) {
        this.rides = client.getDatabase(database).getCollection(COLLECTION);
    }

    /** The CONTRACT's indexes; creating an existing index is a no-op, so every start may call this. */
    @Override
    public void createIndexes() {
        rides.createIndex(Indexes.ascending("skierId", "seasonId", "dayId"), new IndexOptions().name("skier_season_day"));
        rides.createIndex(Indexes.ascending("resortId", "seasonId", "dayId", "skierId"),
                new IndexOptions().name("resort_season_day_skier"));
    }

    /**
     * Inserts the rides in one unordered write. A duplicate {@code _id} means the ride is already stored (a
     * redelivery or a client retry) and counts as done; any other error fails the whole call, to be retried.
     */
    @Override
    public WriteResult insert(List<LiftRide> batch) {
        if (batch.isEmpty()) {
            return new WriteResult(0, 0);
        }
        List<Document> documents = new ArrayList<>(batch.size());
        for (LiftRide ride : batch) {
            documents.add(toDocument(ride));
        }
        try {
            rides.insertMany(documents, UNORDERED);
            return new WriteResult(batch.size(), 0);
        } catch (MongoBulkWriteException e) {
            if (e.getWriteConcernError() != null) {
                throw e;
            }
            int duplicates = 0;
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                duplicates++;
            }
            // Every failure was a duplicate, and an unordered insert wrote all the others.
            return new WriteResult(batch.size() - duplicates, duplicates);
        }
    }

    static Document toDocument(LiftRide ride) {
        return new Document("_id", ride.eventId())
                .append("resortId", ride.resortId())
                .append("seasonId", ride.seasonId())
                .append("dayId", ride.dayId())
                .append("skierId", ride.skierId())
                .append("time", ride.time())
                .append("liftId", ride.liftId())
                .append("vertical", ride.vertical())
                .append("receivedAt", Date.from(ride.receivedAt()));
    }
}
