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

    /**
     * What one batch write did: new rides stored, rides that were already there, and rides the store refused one
     * by one (by their index in the batch), which a retry would never store.
     */
    public record WriteResult(int inserted, int duplicates, List<Rejected> rejected) {
        public WriteResult(int inserted, int duplicates) {
            this(inserted, duplicates, List.of());
        }
    }

    /** One ride the store refused, with the store's error code and message. */
    public record Rejected(int index, String detail) {
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
     * redelivery or a client retry) and counts as done; any other error of one document (a schema validator,
     * another unique index) rejects that ride alone. An error of the whole write (network, no primary, write
     * concern, timeout) is thrown, for the batch to be retried.
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
                throw e; // written but not as durably as asked: retry, the duplicates then count as done
            }
            int duplicates = 0;
            List<Rejected> rejected = new ArrayList<>();
            for (BulkWriteError error : e.getWriteErrors()) {
                if (isDuplicateEventId(error)) {
                    duplicates++;
                } else {
                    rejected.add(new Rejected(error.getIndex(), "code " + error.getCode() + ": " + error.getMessage()));
                }
            }
            // An unordered insert wrote every document that has no error.
            return new WriteResult(batch.size() - duplicates - rejected.size(), duplicates, rejected);
        }
    }

    /** A duplicate key on {@code _id}, the event id; a duplicate on any other unique index is a rejection. */
    static boolean isDuplicateEventId(BulkWriteError error) {
        if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
            return false;
        }
        Document keyPattern = error.getDetails().containsKey("keyPattern")
                ? new Document(error.getDetails().getDocument("keyPattern")) : null;
        if (keyPattern != null) {
            return keyPattern.keySet().equals(java.util.Set.of("_id"));
        }
        // Servers that send no keyPattern name the index in the message: "... index: _id_ dup key: ..."
        String message = String.valueOf(error.getMessage());
        return !message.contains("index: ") || message.contains("index: _id_ ");
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
