package io.liftline.store;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.Document;

/** The raw rides collection, the source of truth: batched, idempotent inserts keyed by event id, and its indexes. */
public final class RideStore {

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

    /**
     * One ride the store refused: its index in the batch, the dead-letter reason ({@link #STORE_REJECTED},
     * {@link #CONFLICTING_DUPLICATE} or {@link #SKIER_DAY_FULL}) and what the store said.
     */
    public record Rejected(int index, String reason, String detail) {}

    /** The store refused this one document (a schema validator, a unique index other than the event id). */
    public static final String STORE_REJECTED = "store-rejected";
    /** The event id is stored already, with another ride: not a redelivery, and never overwritten. */
    public static final String CONFLICTING_DUPLICATE = "conflicting-duplicate";
    /** The ride's skier-day counts {@link Summaries#MAX_RIDES_PER_SKIER_DAY} rides already: refused before its insert. */
    public static final String SKIER_DAY_FULL = "skier-day-full";
    /** The fields that make a ride; receivedAt differs between a ride and its client's retry, vertical follows liftId. */
    private static final List<String> RIDE_FIELDS =
            List.of("resortId", "seasonId", "dayId", "skierId", "time", "liftId");

    private static final InsertManyOptions UNORDERED = new InsertManyOptions().ordered(false);

    private final MongoCollection<Document> rides;

    public RideStore(MongoClient client, String database) {
        this.rides = client.getDatabase(database).getCollection(COLLECTION);
    }

    /** An ascending compound index: its name and its keys in order. */
    public record Index(String name, List<String> keys) {}

    /** The contract's indexes (docs/stored-rides.md); every analysts' query is answered from one of them. */
    public static final List<Index> INDEXES = List.of(
            new Index("skier_season_day", List.of("skierId", "seasonId", "dayId")),
            new Index("resort_season_day_skier", List.of("resortId", "seasonId", "dayId", "skierId")));

    /** Creates {@link #INDEXES}; creating an existing index is a no-op, so every start may call this. */
    public void createIndexes() {
        for (Index index : INDEXES) {
            rides.createIndex(Indexes.ascending(index.keys()), new IndexOptions().name(index.name()));
        }
    }

    /**
     * Inserts the rides in one unordered write. A duplicate {@code _id} holding the same ride means it is already
     * stored (a redelivery or a client retry) and counts as done; holding another ride, it is a conflict, rejected
     * and never overwritten. Any other error of one document (a schema validator, another unique index) rejects
     * that ride alone. An error of the whole write (network, no primary, write concern, timeout) is thrown, for
     * the batch to be retried.
     */
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
            List<Integer> duplicateIndexes = new ArrayList<>();
            List<Rejected> rejected = new ArrayList<>();
            for (BulkWriteError error : e.getWriteErrors()) {
                if (isDuplicateEventId(error)) {
                    duplicateIndexes.add(error.getIndex());
                } else {
                    rejected.add(new Rejected(
                            error.getIndex(), STORE_REJECTED, "code " + error.getCode() + ": " + error.getMessage()));
                }
            }
            List<Rejected> conflicts = conflicts(documents, duplicateIndexes);
            rejected.addAll(conflicts);
            // An unordered insert wrote every document that has no error.
            return new WriteResult(
                    batch.size() - e.getWriteErrors().size(), duplicateIndexes.size() - conflicts.size(), rejected);
        }
    }

    /** The duplicates whose stored ride differs from the one sent (read back by id, only when there are duplicates). */
    private List<Rejected> conflicts(List<Document> documents, List<Integer> duplicateIndexes) {
        if (duplicateIndexes.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(duplicateIndexes.size());
        for (int i : duplicateIndexes) {
            ids.add(documents.get(i).getString("_id"));
        }
        Map<String, Document> stored = new HashMap<>();
        for (Document d : ById.find(rides, ids, null)) {
            stored.put(d.getString("_id"), d);
        }
        List<Rejected> conflicts = new ArrayList<>();
        for (int i : duplicateIndexes) {
            Document sent = documents.get(i);
            Document existing = stored.get(sent.getString("_id"));
            if (existing == null) {
                // deleted between the insert and this read: nothing holds the ride, so the whole batch goes again
                throw new IllegalStateException("ride " + sent.get("_id") + " was a duplicate but is no longer stored");
            }
            for (String field : RIDE_FIELDS) {
                if (!Objects.equals(sent.get(field), existing.get(field))) {
                    conflicts.add(new Rejected(
                            i,
                            CONFLICTING_DUPLICATE,
                            "event id " + sent.get("_id")
                                    + " is stored with another ride (" + field + " " + existing.get(field)
                                    + ", this one "
                                    + sent.get(field) + ")"));
                    break;
                }
            }
        }
        return conflicts;
    }

    /** A duplicate key on {@code _id}, the event id; a duplicate on any other unique index is a rejection. */
    static boolean isDuplicateEventId(BulkWriteError error) {
        if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
            return false;
        }
        Document keyPattern = error.getDetails().containsKey("keyPattern")
                ? new Document(error.getDetails().getDocument("keyPattern"))
                : null;
        if (keyPattern != null) {
            return keyPattern.keySet().equals(java.util.Set.of("_id"));
        }
        // Servers that send no keyPattern name the index in the message: "... index: _id_ dup key: ..."
        String message = String.valueOf(error.getMessage());
        return !message.contains("index: ") || message.contains("index: _id_ ");
    }

    /** A ride as stored (docs/stored-documents.md). */
    public static Document toDocument(LiftRide ride) {
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

    /** A stored ride as the ride it is. */
    public static LiftRide fromDocument(Document d) {
        return new LiftRide(
                d.getString("_id"),
                d.getInteger("resortId"),
                d.getString("seasonId"),
                d.getInteger("dayId"),
                d.getInteger("skierId"),
                d.getInteger("time"),
                d.getInteger("liftId"),
                d.getDate("receivedAt").toInstant());
    }
}
