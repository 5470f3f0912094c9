package io.liftline.simulator;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;

/** Checks in the store that every accepted ride of a run is stored exactly once, and nothing else of it. */
final class Verifier {

    /**
     * What the store holds of a run.
     *
     * @param missing accepted but not stored: data loss
     * @param extra   stored but never answered 201 (the client gave up after a late confirm): not a loss
     */
    record Result(int accepted, long stored, List<String> missing, List<String> extra, long duplicates) {
        boolean lossless() {
            return missing.isEmpty() && duplicates == 0;
        }

        String summary() {
            return "verified: " + accepted + " accepted, " + stored + " stored, " + missing.size() + " missing, "
                    + duplicates + " duplicate" + (extra.isEmpty() ? "" : ", " + extra.size() + " stored without a 201");
        }
    }

    private static final Duration POLL = Duration.ofMillis(250);

    private Verifier() {
    }

    /** Waits until the store holds as many rides of the run as were accepted (or the timeout passes), then compares. */
    static Result verify(String mongodbUri, String database, String runId, List<String> acceptedIds, Duration timeout)
            throws InterruptedException {
        try (MongoClient client = MongoClients.create(mongodbUri)) {
            MongoCollection<Document> rides = client.getDatabase(database).getCollection("rides");
            Bson ofRun = Filters.regex("_id", "^" + Pattern.quote(runId + "-"));
            long deadline = System.nanoTime() + timeout.toNanos();
            long stored = rides.countDocuments(ofRun);
            while (stored < acceptedIds.size() && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
                stored = rides.countDocuments(ofRun);
            }
            Set<String> storedIds = new HashSet<>();
            long documents = 0;
            for (Document d : rides.find(ofRun).projection(Projections.include("_id"))) {
                storedIds.add(d.getString("_id"));
                documents++;
            }
            Set<String> acceptedSet = new HashSet<>(acceptedIds);
            List<String> missing = new ArrayList<>();
            for (String id : acceptedSet) {
                if (!storedIds.contains(id)) {
                    missing.add(id);
                }
            }
            List<String> extra = new ArrayList<>();
            for (String id : storedIds) {
                if (!acceptedSet.contains(id)) {
                    extra.add(id);
                }
            }
            return new Result(acceptedSet.size(), documents, missing, extra, documents - storedIds.size());
        }
    }
}
