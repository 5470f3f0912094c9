package io.liftline.simulator;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Checks in the store that every accepted ride of a run is stored exactly once and unchanged. Every stored document
 * is compared field by field with the ride that was sent ({@link RunRides} computes it again), and rides are counted
 * by content, so a ride stored twice under two ids (a retry without an idempotency key) is found too.
 */
final class Verifier {

    /**
     * What the store holds of a run.
     *
     * @param missing    accepted but not stored: data loss
     * @param altered    stored with other fields than were sent
     * @param duplicates stored copies beyond the first of the same ride
     * @param extra      stored but never answered 201 (the client gave up after a late confirm): not a loss
     */
    record Result(
            int accepted,
            long stored,
            List<String> missing,
            List<String> altered,
            long duplicates,
            List<String> extra) {
        boolean lossless() {
            return missing.isEmpty() && altered.isEmpty() && duplicates == 0;
        }

        String summary() {
            return "verified: " + accepted + " accepted, " + stored + " stored, " + missing.size() + " missing, "
                    + altered.size() + " altered, " + duplicates + " duplicate"
                    + (extra.isEmpty() ? "" : ", " + extra.size() + " stored without a 201");
        }
    }

    private static final Duration POLL = Duration.ofMillis(250);
    private static final int PAGE = 20_000;
    private static final Duration RESCAN = Duration.ofSeconds(1);
    /** Clock skew allowed between the producer, which stamps receivedAt, and the simulator. */
    private static final Duration SKEW = Duration.ofSeconds(5);

    private Verifier() {}

    /**
     * Waits until the store holds as many rides of the run as were accepted (or the timeout passes), then compares.
     *
     * @param accepted event id of each ride answered 201, to the ride's n
     * @param keyed    whether the run sent its own ids ({@code runId-n}); else the run's documents are those of its
     *                 rides' contents received since {@code start}
     */
    static Result verify(
            String mongodbUri,
            String database,
            String runId,
            RunRides run,
            int events,
            Map<String, Integer> accepted,
            boolean keyed,
            Instant start,
            Duration timeout)
            throws InterruptedException {
        try (MongoClient client = MongoClients.create(mongodbUri)) {
            MongoCollection<Document> rides = client.getDatabase(database).getCollection(RideStore.COLLECTION);
            // With API keys on, the producer stores <client>:<eventId>: the run's ids may carry any client's prefix.
            Bson ofRun = keyed
                    ? Filters.regex("_id", "^(?:" + LiftRide.CLIENT_NAME.pattern() + ":)?" + Pattern.quote(runId + "-"))
                    : Filters.and(
                            Filters.eq("seasonId", RunRides.SEASON),
                            Filters.eq("dayId", RunRides.DAY),
                            Filters.gte("receivedAt", Date.from(start.minus(SKEW))));
            long deadline = System.nanoTime() + timeout.toNanos();
            // The count waits for a keyed run's documents; an unkeyed run's filter also matches other runs' rides of
            // the same window, so only a scan can tell that every accepted ride is in: scan again while some are not.
            while (keyed && rides.countDocuments(ofRun) < accepted.size() && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
            }
            Result result = scan(rides, ofRun, runId, run, events, accepted, keyed);
            while (!result.missing().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(RESCAN.toMillis());
                result = scan(rides, ofRun, runId, run, events, accepted, keyed);
            }
            return result;
        }
    }

    private static Result scan(
            MongoCollection<Document> rides,
            Bson ofRun,
            String runId,
            RunRides run,
            int events,
            Map<String, Integer> accepted,
            boolean keyed) {
        int[] copies = new int[events];
        Set<String> storedAccepted = new HashSet<>();
        List<String> altered = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        long stored = 0;
        for (Document d : pages(rides, ofRun)) {
            String id = LiftRide.clientEventId(String.valueOf(d.get("_id")));
            long found = run.indexOf(content(d));
            Integer sent = keyed ? sequence(runId, id) : accepted.get(id);
            if (sent == null && (found < 0 || found >= events)) {
                continue; // unkeyed: a ride of another run received in the same window
            }
            stored++;
            if (sent != null && !matches(d, run.ride(sent))) {
                altered.add(id);
            } else if (found >= 0 && found < events) {
                copies[(int) found]++;
            }
            if (accepted.containsKey(id)) {
                storedAccepted.add(id);
            } else {
                extra.add(id);
            }
        }
        long duplicates = 0;
        for (int n : copies) {
            duplicates += Math.max(0, n - 1);
        }
        List<String> missing = new ArrayList<>();
        for (String id : accepted.keySet()) {
            if (!storedAccepted.contains(id)) {
                missing.add(id);
            }
        }
        return new Result(accepted.size(), stored, missing, altered, duplicates, extra);
    }

    /**
     * The run's documents in pages ordered by {@code _id}: the stand-in store answers a plain find with one reply
     * of every document, which a run of a million rides makes larger than the driver accepts (48 MB).
     */
    private static Iterable<Document> pages(MongoCollection<Document> rides, Bson ofRun) {
        return () -> new java.util.Iterator<>() {
            private java.util.Iterator<Document> page = java.util.Collections.emptyIterator();
            private Object last;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                if (!page.hasNext() && !exhausted) {
                    Bson filter = last == null ? ofRun : Filters.and(ofRun, Filters.gt("_id", last));
                    List<Document> next = rides.find(filter)
                            .sort(new Document("_id", 1))
                            .limit(PAGE)
                            .into(new ArrayList<>());
                    exhausted = next.size() < PAGE;
                    if (!next.isEmpty()) {
                        last = next.get(next.size() - 1).get("_id");
                    }
                    page = next.iterator();
                }
                return page.hasNext();
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    /** The n of an id {@code runId-n}, or null. */
    private static Integer sequence(String runId, String id) {
        try {
            return Integer.valueOf(id.substring(runId.length() + 1));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static RunRides.Ride content(Document d) {
        return new RunRides.Ride(intOf(d, "resortId"), intOf(d, "skierId"), intOf(d, "time"), intOf(d, "liftId"));
    }

    private static int intOf(Document d, String field) {
        return d.get(field) instanceof Number number ? number.intValue() : -1;
    }

    /** Every field of the contract's document as the ride was sent (receivedAt is the producer's, so only present). */
    private static boolean matches(Document d, RunRides.Ride sent) {
        return content(d).equals(sent)
                && RunRides.SEASON.equals(d.get("seasonId"))
                && Integer.valueOf(RunRides.DAY).equals(d.get("dayId"))
                && Integer.valueOf(sent.liftId() * 10).equals(d.get("vertical"))
                && d.get("receivedAt") instanceof Date;
    }
}
