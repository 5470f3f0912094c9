package io.liftline.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import io.liftline.model.LiftRide;
import io.liftline.store.Generations.Generation;
import io.liftline.store.Generations.ResortSeason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntBiFunction;
import org.bson.Document;

/**
 * Keeps the read model exact as rides are stored. {@link #apply} takes rides that are in the raw collection (just
 * inserted, or found there already with the same content) and is safe to call again with any of them, in any order,
 * from any number of workers at once: a worker that dies between storing a ride and applying it applies it when the
 * ride is redelivered, and nothing is counted twice. No transactions: each step is idempotent on its own.
 *
 * <ol>
 *   <li>Skier-day: the ride's event id is pushed to the day's ledger, with {@code $inc} of the day's rides and
 *       vertical, only where the ledger lacks it (a batch's rides of one skier-day at once, where its version is the
 *       one last seen). A document per day keeps what each ride rewrites bounded by a day, not a season.</li>
 *   <li>Resort-day: each bucket records how many events of each skier's day ledger it has counted; it counts the
 *       rest, under a check that the number is still the one it expected.</li>
 *   <li>Skier-season: each day's counts are raised to the skier-day's with {@code $max}, which is safe to repeat.</li>
 *   <li>Top skiers: the skiers' new totals are merged into the list, written back under a version check.</li>
 * </ol>
 *
 * <p>The writer remembers what it last wrote of skier-seasons, buckets and lists (and takes what it never saw as
 * absent), so a batch normally writes without reading at all; where another worker changed a document meanwhile, the
 * check fails and the writer reads it and tries again. Remembering nothing would only cost reads: the checks decide.
 * The batches that wait for each other are counted together, one group at a time ({@link GroupCommit}).
 */
public final class SummaryWriter {

    /** The skier-day and skier-season field every change of the document increments: what a writer's check compares. */
    static final String VERSION = "version";

    /** Attempts at version-checked updates before the batch fails (and its worker retries it whole). */
    private static final int MAX_CONFLICTS = 200;
    /** Bucket slots and top lists remembered per writer: enough for the days being ingested, bounded in memory. */
    private static final int REMEMBERED_SLOTS = 200_000;

    private static final int REMEMBERED_LISTS = 2_000;
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
    private static final UpdateOptions NO_UPSERT = new UpdateOptions();
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final Summaries summaries;
    private final Generations generations;
    /** bucket id and skier ("3/2025/g1/17/b5 4242") to the events of the skier's day the bucket has counted. */
    private final Recent<String, Integer> counted = new Recent<>(REMEMBERED_SLOTS);

    private final Recent<String, TopList> lists = new Recent<>(REMEMBERED_LISTS);
    /** Skier-season id to what this writer last saw stored of it. */
    private final Recent<String, Known> known = new Recent<>(REMEMBERED_SLOTS);
    /** Skier-day id to what this writer last saw stored of it. */
    private final Recent<String, KnownDay> knownDays = new Recent<>(REMEMBERED_SLOTS);
    /** The generation each resort-season was last counted into for readers: where the limit looks first. */
    private final Map<ResortSeason, Integer> lastRead = new ConcurrentHashMap<>();

    private final SkierDayLimit limit;

    public SummaryWriter(Summaries summaries) {
        this.summaries = summaries.primary();
        this.generations = new Generations(this.summaries);
        this.limit = new SkierDayLimit(
                this.summaries,
                generations,
                id -> {
                    KnownDay known = knownDays.get(id);
                    return known == null ? -1 : known.rides();
                },
                lastRead::get);
    }

    /**
     * Stores the batch's rides in the raw collection, but those that their skier-days cannot count: those that would
     * take a day past {@link Summaries#MAX_RIDES_PER_SKIER_DAY}, rejected as {@link RideStore#SKIER_DAY_FULL} and never
     * stored, so that the raw rides and the summaries agree. Then {@link #apply} the rides stored, as after
     * {@link RideStore#insert}; the rejections' indexes are the batch's.
     */
    public RideStore.WriteResult insertWithinLimit(RideStore rides, List<LiftRide> batch) {
        return limit.insert(rides, batch);
    }

    /** One event of a skier-day's ledger. */
    record Event(String eventId, int liftId, int time) {}

    /**
     * A skier's day at a resort as stored: its ledger from position {@code from} on (what came before is not known
     * here; 0 when the whole ledger is), in the order counted, and the day's vertical.
     */
    record SkierDay(
            int resortId, String seasonId, int dayId, int skierId, int from, List<Event> events, long vertical) {
        int rides() {
            return from + events.size();
        }

        /** This day's skier-day document in a generation. */
        String id(int generation) {
            return Summaries.skierDayId(generation, resortId, seasonId, dayId, skierId);
        }

        /** The events from ledger position {@code position} on; {@code position} must not be before {@link #from}. */
        List<Event> eventsFrom(int position) {
            return events.subList(position - from, events.size());
        }

        /** The later of two views of this day (ledgers only grow): the longer, or of two as long, the whole one. */
        SkierDay later(SkierDay other) {
            return other.rides() > rides() || (other.rides() == rides() && other.from < from) ? other : this;
        }
    }

    /**
     * What this writer last saw stored of a skier-season: the version it had, the season's totals, the counts of one
     * day (the latest it raised), and the latest day the document holds.
     */
    private record Known(long version, Totals season, int day, int dayRides, long dayVertical, int lastDay) {

        /**
         * Whether this day's counts are known at {@link #version}: the day remembered, or one after every day the
         * document holds (nothing yet). A skier's first day after those needs no read of the season.
         */
        boolean knows(int dayId) {
            return dayId == day || dayId > lastDay;
        }
    }

    /** A skier's totals over some span; the entries of a top list. */
    record Totals(int skierId, long rides, long vertical) {}

    /** A top list as stored, with its version. */
    private record TopList(long version, List<Totals> skiers) {}

    /**
     * Counts these stored rides into every generation that readers use or a rebuild fills. Throws when the store
     * fails; then call it again with the same rides (what was applied stays applied, once).
     */
    public void apply(List<LiftRide> rides) {
        if (rides.isEmpty()) {
            return;
        }
        Set<ResortSeason> keys = new HashSet<>();
        rides.forEach(r -> keys.add(new ResortSeason(r.resortId(), r.seasonId())));
        Map<ResortSeason, Generation> targets = generations.forWriting(keys);
        targets.forEach((key, g) -> lastRead.put(key, g.current()));
        Map<ResortSeason, Set<Integer>> countedInto = new HashMap<>();
        while (true) {
            targets.forEach((key, g) ->
                    countedInto.computeIfAbsent(key, k -> new TreeSet<>()).addAll(g.targets()));
            try {
                countInto(targets, rides);
                break;
            } catch (IllegalStateException e) {
                // A rebuild that switched generations meanwhile deletes the old one, documents this batch just wrote
                // included ("written but not found"): count into the generations in use now (the rides are stored,
                // so a generation begun since has them from its replay already; counting again is a no-op). No
                // bound on the tries: each one follows a switch, and a batch spanning seasons can meet several
                // switches in one rebuild (one per season), back-to-back rebuilds more. Unchanged: a real failure.
                Map<ResortSeason, Generation> now = generations.forWriting(keys);
                if (now.equals(targets)) {
                    throw e;
                }
                targets = now;
            }
        }
        deleteLeftBehind(keys, countedInto, rides);
        limit.counted(rides);
    }

    private void countInto(Map<ResortSeason, Generation> targets, List<LiftRide> rides) {
        Map<Integer, List<LiftRide>> byGeneration = new HashMap<>();
        for (LiftRide ride : rides) {
            for (int generation : targets.get(new ResortSeason(ride.resortId(), ride.seasonId()))
                    .targets()) {
                byGeneration.computeIfAbsent(generation, g -> new ArrayList<>()).add(ride);
            }
        }
        byGeneration.forEach(this::applyTo);
    }

    /**
     * Deletes what the batch wrote into a generation that a rebuild switched away from while it was counting: the
     * rebuild deleted that generation after the switch, and the batch's late writes made some of its documents anew,
     * which no reader looks at. Generations only grow, so one that is neither read nor built is never used again; and
     * when the generations read now are still those counted into, the writes came before any switch, and the
     * rebuild's own deletion takes them.
     */
    private void deleteLeftBehind(
            Set<ResortSeason> keys, Map<ResortSeason, Set<Integer>> countedInto, List<LiftRide> rides) {
        Map<ResortSeason, Generation> now = generations.forWriting(keys);
        Map<String, Set<String>> idsByCollection = new HashMap<>();
        for (LiftRide ride : rides) {
            ResortSeason key = new ResortSeason(ride.resortId(), ride.seasonId());
            for (int generation : countedInto.get(key)) {
                if (now.get(key).targets().contains(generation)) {
                    continue;
                }
                idsByCollection
                        .computeIfAbsent(Summaries.SKIER_DAYS, c -> new HashSet<>())
                        .add(Summaries.skierDayId(
                                generation, ride.resortId(), ride.seasonId(), ride.dayId(), ride.skierId()));
                idsByCollection
                        .computeIfAbsent(Summaries.SKIER_SEASONS, c -> new HashSet<>())
                        .add(Summaries.skierSeasonId(generation, ride.resortId(), ride.seasonId(), ride.skierId()));
                idsByCollection
                        .computeIfAbsent(Summaries.RESORT_DAYS, c -> new HashSet<>())
                        .add(Summaries.resortDayId(
                                generation,
                                ride.resortId(),
                                ride.seasonId(),
                                ride.dayId(),
                                Summaries.bucket(ride.skierId())));
                Set<String> lists = idsByCollection.computeIfAbsent(Summaries.TOP_SKIERS, c -> new HashSet<>());
                lists.add(Summaries.topSeasonId(generation, ride.resortId(), ride.seasonId()));
                lists.add(Summaries.topDayId(generation, ride.resortId(), ride.seasonId(), ride.dayId()));
            }
        }
        idsByCollection.forEach(
                (collection, ids) -> ById.delete(summaries.database().getCollection(collection), ids));
    }

    /** Counts the rides into one generation (of each ride's resort-season): for workers, and for a rebuild. */
    void applyTo(int generation, List<LiftRide> rides) {
        if (rides.isEmpty()) {
            return;
        }
        counting.write(new Batch(generation, rides));
    }

    /** A batch's rides, to be counted into one generation. */
    private record Batch(int generation, List<LiftRide> rides) {}

    /**
     * The batches waiting to be counted, counted together (group commit), one group at a time within a process: the
     * consumers' batches touch the same few buckets and top lists, and often the same skiers, so counting two
     * batches as one costs little more than one, and a worker's own consumers never fail each other's checks (two
     * at once mostly would, each then reading and writing again). Other processes are still kept right by the checks.
     */
    private final GroupCommit<Batch> counting = new GroupCommit<>(this::count);

    private void count(List<Batch> group) {
        Map<Integer, List<LiftRide>> byGeneration = new LinkedHashMap<>();
        group.forEach(batch -> byGeneration
                .computeIfAbsent(batch.generation(), g -> new ArrayList<>())
                .addAll(batch.rides()));
        byGeneration.forEach((generation, rides) -> {
            Collection<SkierDay> days = countInSkierDays(generation, rides).values();
            countInResortDays(generation, days);
            // After the buckets: they are where a ledger made anew under the writer shows (withLedgersWhereBehind),
            // before any season is raised to such a ledger's counts.
            offerToTopLists(generation, raiseSkierSeasons(generation, days).values());
        });
    }

    // The steps, package-private so that tests can stop after any of them, as a worker that dies there would.

    /** A skier's season after the batch: the batch's days of it, and the season's totals. */
    record SkierSeason(Map<Integer, SkierDay> days, Totals season) {}

    /** What this writer last saw stored of a skier-day: the version it had and its counts. */
    private record KnownDay(long version, long rides, long vertical) {}

    // 1. Skier-days: the ledger of each.

    /**
     * Counts the rides into their skier-days, by skier-day id. Each day's rides of the batch go in one update that
     * holds only where the document is at the version this writer last saw (or, for a day it never saw, where there
     * is none) and its ledger lacks every one of them: then what the document holds now is known without reading it.
     * Where that check fails (another writer, a redelivery, a writer that forgot), each ride is pushed on its own where
     * the ledger lacks it, and the document is read back.
     */
    Map<String, SkierDay> countInSkierDays(int generation, List<LiftRide> rides) {
        Map<String, List<LiftRide>> byDay = new LinkedHashMap<>();
        Set<String> events = new HashSet<>();
        for (LiftRide ride : rides) {
            if (events.add(ride.eventId())) { // a ride twice in one batch (a client's retry) is one ride
                byDay.computeIfAbsent(
                                Summaries.skierDayId(
                                        generation, ride.resortId(), ride.seasonId(), ride.dayId(), ride.skierId()),
                                k -> new ArrayList<>())
                        .add(ride);
            }
        }
        List<String> ids = new ArrayList<>(byDay.keySet());
        List<KnownDay> expected = new ArrayList<>();
        List<WriteModel<Document>> updates = new ArrayList<>();
        for (String id : ids) {
            KnownDay k = knownDays.get(id);
            expected.add(k);
            updates.add(ledgeredAt(id, k, byDay.get(id)));
        }
        Set<Integer> failed =
                new HashSet<>(write(summaries.skierDays(), updates).duplicates());
        Map<String, SkierDay> days = new LinkedHashMap<>();
        Set<String> slowly = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (failed.contains(i)) {
                knownDays.remove(id);
                slowly.add(id);
            } else {
                days.put(id, ledgered(id, expected.get(i), byDay.get(id)));
            }
        }
        if (!slowly.isEmpty()) {
            days.putAll(ledgerOneByOne(slowly, byDay));
        }
        return days;
    }

    /**
     * The day's rides of the batch in one write, checked against what this writer knows of the document: where it
     * knows none, the insert of the day as the rides make it (a duplicate key where there is one after all).
     */
    private static WriteModel<Document> ledgeredAt(String id, KnownDay known, List<LiftRide> group) {
        if (known == null) {
            // What the checked upsert below would make where no document is, at a fraction of its cost (a store
            // applies an update field by field): most skier-days are new, each with one ride.
            Document day = new Document("_id", id)
                    .append(VERSION, 1L)
                    .append("events", eventIds(group))
                    .append("rides", (long) group.size())
                    .append("vertical", vertical(group));
            day.putAll(whoseDay(group.get(0)));
            return new InsertOneModel<>(day);
        }
        // Where the check fails, the upsert fails as a duplicate key, which names the update. (Where the document
        // was deleted meanwhile, the upsert makes it anew, with the batch's rides only: only a rebuild deletes
        // skier-days, with their generation, and what a batch wrote into a deleted generation is deleted after it;
        // see deleteLeftBehind. A bucket that counted the older rides shows it: withLedgersWhereBehind.)
        Document expect = new Document("_id", id)
                .append(VERSION, known.version())
                .append("events", new Document("$nin", eventIds(group)));
        return new UpdateOneModel<>(expect, pushed(group), UPSERT);
    }

    /**
     * The update that adds these rides (of one skier-day, not yet in its ledger) to its ledger and counts, makes the
     * day where there is none, and increments its version once. Written as the document MongoDB reads, not with the
     * driver's builders: this is the update of nearly every ride, and the builders convert themselves to a document
     * before the driver encodes that document again (a tenth of a worker's CPU, measured).
     */
    private static Document pushed(List<LiftRide> group) {
        return new Document("$push", new Document("events", new Document("$each", eventIds(group))))
                .append(
                        "$inc",
                        new Document("rides", (long) group.size())
                                .append("vertical", vertical(group))
                                .append(VERSION, 1L))
                .append("$setOnInsert", whoseDay(group.get(0)));
    }

    /** Whose skier-day a ride counts in: the fields a skier-day carries besides its ledger and counts. */
    private static Document whoseDay(LiftRide ride) {
        return new Document("resortId", ride.resortId())
                .append("seasonId", ride.seasonId())
                .append("dayId", ride.dayId())
                .append("skierId", ride.skierId());
    }

    /** The day as it stands after its checked write held: what was known, and the batch's rides. */
    private SkierDay ledgered(String id, KnownDay was, List<LiftRide> group) {
        LiftRide any = group.get(0);
        SkierDay day = new SkierDay(
                any.resortId(),
                any.seasonId(),
                any.dayId(),
                any.skierId(),
                was == null ? 0 : (int) was.rides(),
                group.stream().map(SummaryWriter::event).toList(),
                (was == null ? 0 : was.vertical()) + vertical(group));
        knownDays.put(id, new KnownDay(was == null ? 1 : was.version() + 1, day.rides(), day.vertical()));
        return day;
    }

    /** Counts each ride on its own where its day's ledger lacks it, then reads the days back. */
    private Map<String, SkierDay> ledgerOneByOne(Set<String> ids, Map<String, List<LiftRide>> byDay) {
        List<UpdateOneModel<Document>> pushes = new ArrayList<>();
        for (String id : ids) {
            for (LiftRide ride : byDay.get(id)) {
                pushes.add(new UpdateOneModel<>(
                        new Document("_id", id).append("events", new Document("$ne", ride.eventId())),
                        pushed(List.of(ride)),
                        UPSERT));
            }
        }
        // A duplicate key means the day exists and its ledger holds the event already (the filter did not match, so
        // the upsert tried to make it anew), or another worker made the day meanwhile: once more without the upsert
        // tells which.
        upsertOrUpdate(summaries.skierDays(), pushes);
        Map<String, Event> known = new HashMap<>();
        ids.forEach(id -> byDay.get(id).forEach(ride -> known.put(ride.eventId(), event(ride))));
        // From the batch's first ride in each ledger on: the buckets count from where they stopped, which is before it
        // only where rides of another worker (or of one that crashed) came before and no bucket has counted them yet;
        // withLedgersWhereBehind reads those.
        return readDays(ids, known, (id, ledger) -> {
            for (int i = 0; i < ledger.size(); i++) {
                if (known.containsKey(ledger.get(i))) {
                    return i;
                }
            }
            return ledger.size();
        });
    }

    /**
     * The skier-days as stored, by id, each from the ledger position {@code from} gives on (what comes before is not
     * needed); remembered. The events' lifts and times are the {@code known} ones where they are, else read from the
     * raw rides: a whole ledger's would be a read of every ride of the skier's day, where one or two are needed.
     */
    private Map<String, SkierDay> readDays(
            Collection<String> ids, Map<String, Event> known, ToIntBiFunction<String, List<String>> from) {
        List<Document> read = ById.find(summaries.skierDays(), ids, null);
        if (read.size() != ids.size()) {
            throw new IllegalStateException(
                    "skier-day summaries written but not found: " + ids.size() + " asked, " + read.size() + " read");
        }
        List<Needed> needed = new ArrayList<>();
        Set<String> unknown = new HashSet<>();
        for (Document d : read) {
            List<String> ledger = ledger(d);
            int position = Math.min(ledger.size(), from.applyAsInt(d.getString("_id"), ledger));
            Needed suffix = new Needed(d, position, ledger.subList(position, ledger.size()));
            suffix.eventIds().stream().filter(id -> !known.containsKey(id)).forEach(unknown::add);
            needed.add(suffix);
        }
        Map<String, Event> events = new HashMap<>(known);
        events.putAll(events(unknown));
        Map<String, SkierDay> days = new LinkedHashMap<>();
        for (Needed suffix : needed) {
            Document d = suffix.day();
            SkierDay day = new SkierDay(
                    d.getInteger("resortId"),
                    d.getString("seasonId"),
                    d.getInteger("dayId"),
                    d.getInteger("skierId"),
                    suffix.from(),
                    suffix.eventIds().stream().map(events::get).toList(),
                    number(d.get("vertical")));
            days.put(d.getString("_id"), day);
            knownDays.put(d.getString("_id"), new KnownDay(number(d.get(VERSION)), day.rides(), day.vertical()));
        }
        return days;
    }

    /** A skier-day as read, and the event ids of its ledger from position {@code from} on: the part needed. */
    private record Needed(Document day, int from, List<String> eventIds) {}

    /** The event ids of a skier-day document's ledger, in the order counted. */
    static List<String> ledger(Document skierDay) {
        return skierDay.getList("events", String.class, List.of());
    }

    private static long vertical(List<LiftRide> rides) {
        return rides.stream().mapToLong(LiftRide::vertical).sum();
    }

    /**
     * A ledger's entries: the rides' event ids alone. What else a bucket needs of an event (its lift and time) is in
     * the raw ride, read by id where a ledger is read ({@link #readDays}); the ids are what makes counting once.
     */
    private static List<String> eventIds(List<LiftRide> rides) {
        return rides.stream().map(LiftRide::eventId).toList();
    }

    private static Event event(LiftRide ride) {
        return new Event(ride.eventId(), ride.liftId(), ride.time());
    }

    /**
     * The stored rides of these event ids, as ledger events. Every ledgered ride is stored (a ride is counted only
     * after its insert, and raw rides are never deleted): one missing is a store that lost it, not a race to retry.
     */
    private Map<String, Event> events(Set<String> eventIds) {
        Map<String, Event> events = new HashMap<>();
        if (eventIds.isEmpty()) {
            return events;
        }
        for (Document ride : ById.find(summaries.rides(), eventIds, Projections.include("liftId", "time"))) {
            events.put(
                    ride.getString("_id"),
                    new Event(ride.getString("_id"), ride.getInteger("liftId"), ride.getInteger("time")));
        }
        if (events.size() != eventIds.size()) {
            throw new IllegalStateException("a skier-day ledger names a ride the rides collection does not hold ("
                    + eventIds.stream()
                            .filter(id -> !events.containsKey(id))
                            .findFirst()
                            .orElse("?") + ")");
        }
        return events;
    }

    // 2. Resort-days: each bucket counts the events of each skier's day ledger it has not counted yet.

    void countInResortDays(int generation, Collection<SkierDay> days) {
        Map<String, List<SkierDay>> byBucket = new LinkedHashMap<>();
        for (SkierDay day : days) {
            byBucket.computeIfAbsent(
                            Summaries.resortDayId(
                                    generation,
                                    day.resortId(),
                                    day.seasonId(),
                                    day.dayId(),
                                    Summaries.bucket(day.skierId())),
                            b -> new ArrayList<>())
                    .add(day);
        }
        Map<String, Document> read =
                null; // what the store holds, once a check has failed; until then, what we remember
        for (int attempt = 0; ; attempt++) {
            conflictBound(attempt, "resort-day");
            withLedgersWhereBehind(generation, byBucket, read);
            List<UpdateOneModel<Document>> updates = new ArrayList<>();
            Map<String, Integer> written = new HashMap<>();
            for (var bucket : byBucket.entrySet()) {
                // As the documents MongoDB reads, like the skier-seasons' update (see ledgered): a group's
                // buckets name a slot per skier of the batch.
                Document expect = new Document("_id", bucket.getKey());
                Document set = new Document();
                boolean expectsCounts = false;
                int newSkiers = 0;
                Map<String, Integer> liftHours = new HashMap<>();
                for (SkierDay day : bucket.getValue()) {
                    String slot = "counted." + day.skierId();
                    String remembered = bucket.getKey() + " " + day.skierId();
                    int done = counted(bucket.getKey(), day, read);
                    if (done >= day.rides()) {
                        continue; // the bucket has counted at least what this worker sees of the skier's day
                    }
                    expect.append(slot, done == 0 ? new Document("$exists", false) : done);
                    expectsCounts |= done > 0;
                    set.append(slot, day.rides());
                    written.put(remembered, day.rides());
                    newSkiers += done == 0 ? 1 : 0;
                    for (Event event : day.eventsFrom(done)) {
                        liftHours.merge(
                                "lifts." + event.liftId() + "." + Summaries.hour(event.time()), 1, Integer::sum);
                    }
                }
                if (set.isEmpty()) {
                    continue;
                }
                // Never empty: a skier whose day the bucket counted less of has events from there on.
                Document inc = new Document(liftHours);
                if (newSkiers > 0) {
                    inc.append("skiers", newSkiers);
                }
                SkierDay any = bucket.getValue().get(0);
                Document change = new Document("$set", set)
                        .append("$inc", inc)
                        .append(
                                "$setOnInsert",
                                new Document("resortId", any.resortId())
                                        .append("seasonId", any.seasonId())
                                        .append("dayId", any.dayId()));
                // Made anew only when nothing of it is expected: a bucket that was deleted under a worker that
                // remembers its counts must fail the check (and be read), never be made with those counts assumed.
                updates.add(new UpdateOneModel<>(expect, change, expectsCounts ? NO_UPSERT : UPSERT));
            }
            if (updates.isEmpty()) {
                return;
            }
            if (write(summaries.resortDays(), updates).applied() == updates.size()) {
                written.forEach(counted::put);
                return; // every check held: all counted
            }
            // Another worker counted some of these skiers in between, or made a bucket: read what the buckets hold
            // and count what is left, building on its numbers.
            byBucket.keySet().forEach(b -> byBucket.get(b).forEach(d -> counted.remove(b + " " + d.skierId())));
            read = new HashMap<>();
            // Every slot, not the batch's: a projection naming thousands of slots cost the stand-in more than the
            // writes (two workers on one queue spent two thirds of their time in this step, most of it in that read),
            // and costs MongoDB its parsing for every document.
            for (Document d : ById.find(summaries.resortDays(), byBucket.keySet(), Projections.include("counted"))) {
                read.put(d.getString("_id"), d);
            }
        }
    }

    /** How many events of the skier's day the bucket has counted: as remembered, or as read once a check failed. */
    private int counted(String bucket, SkierDay day, Map<String, Document> read) {
        Integer known = read == null
                ? counted.get(bucket + " " + day.skierId())
                : intOrNull(read.getOrDefault(bucket, new Document())
                        .get("counted", new Document())
                        .get(String.valueOf(day.skierId())));
        return known == null ? 0 : known;
    }

    /**
     * Replaces each day the bucket has counted less of than the batch's view begins with (a bucket a crashed writer
     * left behind, another worker's rides not counted yet, or a writer that forgot) by its ledger from where the bucket
     * stopped, read from its skier-day.
     */
    private void withLedgersWhereBehind(
            int generation, Map<String, List<SkierDay>> byBucket, Map<String, Document> read) {
        Map<String, Integer> behind = new LinkedHashMap<>();
        Map<String, Event> known = new HashMap<>();
        byBucket.forEach((bucket, days) -> days.forEach(day -> {
            int done = counted(bucket, day, read);
            if (done < day.from()) {
                behind.put(day.id(generation), done);
                day.events().forEach(event -> known.put(event.eventId(), event));
            }
        }));
        if (behind.isEmpty()) {
            return;
        }
        Map<String, SkierDay> stored = readDays(behind.keySet(), known, (id, ledger) -> behind.get(id));
        byBucket.forEach((bucket, days) -> days.replaceAll(day -> {
            SkierDay later = day.later(stored.getOrDefault(day.id(generation), day));
            if (counted(bucket, later, read) < later.from()) {
                // The ledger is shorter than this batch's own view of it: it was made anew under the batch, which
                // only a rebuild does (it deletes the generation it switched from). Thrown for apply() to count
                // into the generations in use now; the same generations still in use: a failure, to retry.
                throw new IllegalStateException("the ledger of skier " + day.skierId() + " day " + day.dayId()
                        + " in generation " + generation + " holds less than was counted into it: deleted meanwhile");
            }
            return later;
        }));
    }

    // 3. Skier-seasons: each day's counts raised to the skier-day's.

    /**
     * Raises each day of the batch in its skier-season to the day's counts ({@code $max}: a day's counts only grow,
     * so raising twice, late or out of order is safe), and returns the seasons' totals after it. The update holds only
     * where the document is at the version this writer last saw (or, for a season it never saw, where there is none):
     * then the totals are known without reading them. Where that check fails, the days are raised unchecked and the
     * seasons read back.
     */
    Map<String, SkierSeason> raiseSkierSeasons(int generation, Collection<SkierDay> days) {
        Map<String, Map<Integer, SkierDay>> bySeason = new LinkedHashMap<>();
        for (SkierDay day : days) {
            bySeason.computeIfAbsent(
                            Summaries.skierSeasonId(generation, day.resortId(), day.seasonId(), day.skierId()),
                            k -> new TreeMap<>())
                    .put(day.dayId(), day);
        }
        List<String> ids = new ArrayList<>();
        List<Known> expected = new ArrayList<>();
        List<WriteModel<Document>> updates = new ArrayList<>();
        Set<String> slowly = new LinkedHashSet<>();
        bySeason.forEach((id, seasonDays) -> {
            Known k = known.get(id);
            if (k != null && seasonDays.keySet().stream().anyMatch(day -> !k.knows(day))) {
                slowly.add(id); // an earlier day, whose counts in the season this writer does not know
                return;
            }
            ids.add(id);
            expected.add(k);
            updates.add(raisedAt(id, k, seasonDays));
        });
        Map<String, SkierSeason> seasons = new LinkedHashMap<>();
        if (!updates.isEmpty()) {
            Set<Integer> failed =
                    new HashSet<>(write(summaries.skierSeasons(), updates).duplicates());
            for (int i = 0; i < ids.size(); i++) {
                if (failed.contains(i)) {
                    known.remove(ids.get(i));
                    slowly.add(ids.get(i));
                } else {
                    seasons.put(ids.get(i), raised(ids.get(i), expected.get(i), bySeason.get(ids.get(i))));
                }
            }
        }
        if (!slowly.isEmpty()) {
            seasons.putAll(raiseUnchecked(slowly, bySeason));
        }
        return seasons;
    }

    /**
     * The season's days of the batch raised in one write, checked against what this writer knows of the document:
     * where it knows none, the insert of the season as the days make it (a duplicate key where there is one after all).
     */
    private static WriteModel<Document> raisedAt(String id, Known known, Map<Integer, SkierDay> days) {
        if (known == null) {
            Document counts = new Document();
            days.forEach((day, d) -> counts.append(String.valueOf(day), counts(d)));
            Document season = new Document("_id", id).append(VERSION, 1L).append("days", counts);
            season.putAll(whoseSeason(days.values().iterator().next()));
            return new InsertOneModel<>(season);
        }
        // As with the skier-days, a failed check is a duplicate key, and a season deleted meanwhile is made anew in a
        // generation that is deleted after the batch.
        return new UpdateOneModel<>(new Document("_id", id).append(VERSION, known.version()), raise(days), UPSERT);
    }

    /** The update that raises these days' counts in a skier-season, makes it where there is none, and versions it. */
    private static Document raise(Map<Integer, SkierDay> days) {
        Document max = new Document();
        days.forEach((day, d) -> max.append("days." + day, counts(d)));
        return new Document("$max", max)
                .append("$inc", new Document(VERSION, 1L))
                .append("$setOnInsert", whoseSeason(days.values().iterator().next()));
    }

    /** Whose skier-season a day counts in: the fields a skier-season carries besides its days. */
    private static Document whoseSeason(SkierDay day) {
        return new Document("resortId", day.resortId())
                .append("seasonId", day.seasonId())
                .append("skierId", day.skierId());
    }

    /**
     * A day's counts as a skier-season holds them, rides first. {@code $max} on the whole of it compares rides, then
     * vertical; of two counts of one skier-day the one with more rides is the later (ledgers only grow), with as many
     * it is the same (a ledger of a given length is one set of rides), so the larger is the later, vertical included.
     * One path a day instead of two: the stand-in store reads and changes a dotted path segment by segment.
     */
    private static Document counts(SkierDay day) {
        return new Document("rides", (long) day.rides()).append("vertical", day.vertical());
    }

    /** The season after its checked raise held: its known totals, each day of the batch raised from what it held. */
    private SkierSeason raised(String id, Known was, Map<Integer, SkierDay> days) {
        long rides = was == null ? 0 : was.season().rides();
        long vertical = was == null ? 0 : was.season().vertical();
        int lastDay = was == null ? 0 : was.lastDay();
        int latest = 0;
        long latestRides = 0;
        long latestVertical = 0;
        for (SkierDay day : days.values()) {
            // What the document held of this day at the version checked: the day remembered, or nothing (knows()).
            boolean held = was != null && was.day() == day.dayId();
            long heldRides = held ? was.dayRides() : 0;
            long heldVertical = held ? was.dayVertical() : 0;
            long nowRides = Math.max(heldRides, day.rides());
            long nowVertical = Math.max(heldVertical, day.vertical());
            rides += nowRides - heldRides;
            vertical += nowVertical - heldVertical;
            if (day.dayId() >= latest) {
                latest = day.dayId();
                latestRides = nowRides;
                latestVertical = nowVertical;
            }
        }
        SkierDay any = days.values().iterator().next();
        Totals season = new Totals(any.skierId(), rides, vertical);
        known.put(
                id,
                new Known(
                        (was == null ? 0 : was.version()) + 1,
                        season,
                        latest,
                        (int) latestRides,
                        latestVertical,
                        Math.max(lastDay, latest)));
        return new SkierSeason(days, season);
    }

    /** Raises the seasons' days without a check (safe: {@code $max}), then reads the seasons back. */
    private Map<String, SkierSeason> raiseUnchecked(Set<String> ids, Map<String, Map<Integer, SkierDay>> bySeason) {
        List<UpdateOneModel<Document>> raises = new ArrayList<>();
        for (String id : ids) {
            raises.add(new UpdateOneModel<>(new Document("_id", id), raise(bySeason.get(id)), UPSERT));
        }
        // A duplicate key: another worker made the season between the two; raised again, it is there.
        upsertOrUpdate(summaries.skierSeasons(), raises);
        Map<String, SkierSeason> seasons = new LinkedHashMap<>();
        for (Document d : ById.find(summaries.skierSeasons(), ids, null)) {
            String id = d.getString("_id");
            Map<Integer, SkierDay> days = bySeason.get(id);
            Totals totals = seasonTotals(d);
            seasons.put(id, new SkierSeason(days, totals));
            int latest =
                    days.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
            Document counts = d.get("days", new Document()).get(String.valueOf(latest), new Document());
            known.put(
                    id,
                    new Known(
                            number(d.get(VERSION)),
                            totals,
                            latest,
                            (int) number(counts.get("rides")),
                            number(counts.get("vertical")),
                            lastDay(d)));
        }
        if (seasons.size() != ids.size()) {
            throw new IllegalStateException("skier-season summaries written but not found: " + ids.size() + " asked, "
                    + seasons.size() + " read");
        }
        return seasons;
    }

    /** The latest day a skier-season document holds; 0 for none. */
    private static int lastDay(Document skierSeason) {
        return skierSeason.get("days", new Document()).keySet().stream()
                .mapToInt(Integer::parseInt)
                .max()
                .orElse(0);
    }

    static Totals seasonTotals(Document skierSeason) {
        long rides = 0;
        long vertical = 0;
        for (Object day : skierSeason.get("days", new Document()).values()) {
            rides += number(((Document) day).get("rides"));
            vertical += number(((Document) day).get("vertical"));
        }
        return new Totals(skierSeason.getInteger("skierId"), rides, vertical);
    }

    // 4. Top lists: merged with the skiers' new totals, written back under a version check.

    void offerToTopLists(int generation, Collection<SkierSeason> seasons) {
        Map<String, Map<Integer, Totals>> offers = new LinkedHashMap<>();
        Map<String, Document> fields = new HashMap<>();
        for (SkierSeason season : seasons) {
            for (SkierDay day : season.days().values()) {
                String dayList = Summaries.topDayId(generation, day.resortId(), day.seasonId(), day.dayId());
                offers.computeIfAbsent(dayList, k -> new HashMap<>())
                        .merge(
                                day.skierId(),
                                new Totals(day.skierId(), day.rides(), day.vertical()),
                                SummaryWriter::larger);
                fields.putIfAbsent(
                        dayList,
                        new Document("resortId", day.resortId())
                                .append("seasonId", day.seasonId())
                                .append("dayId", day.dayId()));
                String seasonList = Summaries.topSeasonId(generation, day.resortId(), day.seasonId());
                offers.computeIfAbsent(seasonList, k -> new HashMap<>())
                        .merge(day.skierId(), season.season(), SummaryWriter::larger);
                fields.putIfAbsent(
                        seasonList, new Document("resortId", day.resortId()).append("seasonId", day.seasonId()));
            }
        }
        Map<String, TopList> read = null;
        for (int attempt = 0; ; attempt++) {
            conflictBound(attempt, "top-skiers");
            List<UpdateOneModel<Document>> updates = new ArrayList<>();
            Map<String, TopList> written = new HashMap<>();
            for (var list : offers.entrySet()) {
                // Lists only get better (larger totals, higher thresholds): offers that leave a remembered, older
                // state unchanged leave the stored one unchanged too.
                TopList current = read == null ? lists.get(list.getKey()) : read.get(list.getKey());
                List<Totals> before = current == null ? List.of() : current.skiers();
                List<Totals> after = merged(before, list.getValue().values());
                if (after.equals(before)) {
                    continue;
                }
                Document expect = new Document("_id", list.getKey())
                        .append("version", current == null ? new Document("$exists", false) : current.version());
                long version = current == null ? 1 : current.version() + 1;
                Document change = new Document(
                                "$set",
                                new Document("version", version)
                                        .append(
                                                "skiers",
                                                after.stream()
                                                        .map(t -> new Document("skierId", t.skierId())
                                                                .append("rides", t.rides())
                                                                .append("vertical", t.vertical()))
                                                        .toList()))
                        .append("$setOnInsert", fields.get(list.getKey()));
                updates.add(new UpdateOneModel<>(expect, change, current == null ? UPSERT : NO_UPSERT));
                written.put(list.getKey(), new TopList(version, after));
            }
            if (updates.isEmpty()) {
                return;
            }
            if (write(summaries.topSkiers(), updates).applied() == updates.size()) {
                written.forEach(lists::put);
                return;
            }
            // another writer changed a list in between: merge the offers into what it wrote
            offers.keySet().forEach(lists::remove);
            read = new HashMap<>();
            for (Document d : ById.find(summaries.topSkiers(), offers.keySet(), null)) {
                read.put(d.getString("_id"), new TopList(number(d.get("version")), topList(d)));
            }
        }
    }

    static List<Totals> topList(Document list) {
        List<Totals> skiers = new ArrayList<>();
        for (Document s : list.getList("skiers", Document.class, List.of())) {
            skiers.add(new Totals(s.getInteger("skierId"), number(s.get("rides")), number(s.get("vertical"))));
        }
        return skiers;
    }

    /** Most vertical first, ties by skier id: the read API's order. */
    static final Comparator<Totals> RANKING =
            Comparator.comparingLong(Totals::vertical).reversed().thenComparingInt(Totals::skierId);

    /**
     * The list with the offers merged: a skier's entry is replaced by a larger total, a skier not listed enters when
     * the list has room or the total outranks the last; the list keeps {@link Summaries#TOP_SIZE}. A skier left out
     * can only enter again with a larger total, which is offered when it happens: the list stays the exact top.
     */
    static List<Totals> merged(List<Totals> list, Iterable<Totals> offers) {
        Map<Integer, Totals> bySkier = new LinkedHashMap<>();
        list.forEach(t -> bySkier.put(t.skierId(), t));
        for (Totals offer : offers) {
            bySkier.merge(offer.skierId(), offer, SummaryWriter::larger);
        }
        List<Totals> ranked = new ArrayList<>(bySkier.values());
        ranked.sort(RANKING);
        return List.copyOf(ranked.subList(0, Math.min(ranked.size(), Summaries.TOP_SIZE)));
    }

    private static Totals larger(Totals a, Totals b) {
        return b.vertical() > a.vertical() ? b : a;
    }

    // Helpers.

    /** What an unordered bulk write did: how many updates matched or made their document, and which met a duplicate key. */
    private record Written(int applied, List<Integer> duplicates) {}

    /**
     * Writes the updates unordered. A duplicate key (a document another writer made meanwhile, or an upsert whose
     * check did not match an existing one) is reported by index; any other error is thrown.
     */
    private static Written write(MongoCollection<Document> collection, List<? extends WriteModel<Document>> updates) {
        try {
            var result = collection.bulkWrite(updates, UNORDERED);
            return new Written(result.getMatchedCount() + result.getUpserts().size(), List.of());
        } catch (MongoBulkWriteException e) {
            if (e.getWriteConcernError() != null) {
                throw e;
            }
            List<Integer> duplicates = new ArrayList<>();
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                duplicates.add(error.getIndex());
            }
            // Counts of a failed bulk write are not to be trusted (the stand-in gets them wrong): check by reading.
            return new Written(0, duplicates);
        }
    }

    /** Writes the upserts, then those that met a duplicate key once more without the upsert. */
    private static void upsertOrUpdate(MongoCollection<Document> collection, List<UpdateOneModel<Document>> upserts) {
        List<WriteModel<Document>> again = new ArrayList<>();
        for (int index : write(collection, upserts).duplicates()) {
            UpdateOneModel<Document> upsert = upserts.get(index);
            again.add(new UpdateOneModel<>(upsert.getFilter(), upsert.getUpdate(), NO_UPSERT));
        }
        if (!again.isEmpty()) {
            collection.bulkWrite(again, UNORDERED);
        }
    }

    private static void conflictBound(int attempt, String what) {
        if (attempt >= MAX_CONFLICTS) {
            throw new IllegalStateException(what + " summaries changed under " + MAX_CONFLICTS + " attempts in a row");
        }
        if (attempt > 0) {
            // Another process wrote the same documents: a random pause before writing again, growing with the
            // conflicts (up to 32 ms), so that two workers on the same hot documents take turns instead of failing
            // each other's checks round after round.
            try {
                Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << Math.min(attempt, 5)) + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + what + " summaries were contended", e);
            }
        }
    }

    private static Integer intOrNull(Object value) {
        return value == null ? null : ((Number) value).intValue();
    }

    static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** A bounded map of the most recently used entries, shared by the writer's threads. */
    private static final class Recent<K, V> {
        private final Lru<K, V> entries;

        Recent(int max) {
            this.entries = new Lru<>(max);
        }

        synchronized V get(K key) {
            return entries.get(key);
        }

        synchronized void put(K key, V value) {
            entries.put(key, value);
        }

        synchronized void remove(K key) {
            entries.remove(key);
        }
    }

    private static final class Lru<K, V> extends LinkedHashMap<K, V> {
        private static final long serialVersionUID = 1L;
        private final int max;

        Lru(int max) {
            super(1024, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > max;
        }
    }
}
