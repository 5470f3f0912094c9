package io.liftline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.liftline.model.LiftRide;
import io.liftline.testing.MongoTestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The read model against the store over a real socket: every answer equals the arithmetic over the stored rides. */
class SummariesIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    private Summaries summaries;
    private RideStore rides;
    private SummaryWriter writer;
    private SummaryReader reader;

    @BeforeEach
    void emptyStore() {
        mongo.database().drop();
        summaries = new Summaries(mongo.database());
        rides = new RideStore(mongo.client(), mongo.databaseName());
        writer = new SummaryWriter(summaries);
        reader = new SummaryReader(summaries, Duration.ofSeconds(10));
    }

    /** Rides over two resorts, two seasons, three days and 60 skiers; ids unique, content random but fixed by the seed. */
    private static List<LiftRide> someRides(int count, long seed, String idPrefix) {
        Random random = new Random(seed);
        List<LiftRide> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new LiftRide(
                    idPrefix + i,
                    1 + random.nextInt(2),
                    random.nextBoolean() ? "2024" : "2025",
                    1 + random.nextInt(3),
                    1 + random.nextInt(60),
                    1 + random.nextInt(360),
                    1 + random.nextInt(40),
                    Instant.parse("2025-01-01T10:00:00Z")));
        }
        return list;
    }

    /** Stores the rides and counts them, in batches of 100, as a worker does. */
    private void store(List<LiftRide> list) {
        for (int i = 0; i < list.size(); i += 100) {
            List<LiftRide> batch = list.subList(i, Math.min(list.size(), i + 100));
            rides.insert(batch);
            writer.apply(batch);
        }
    }

    /**
     * Verify and rebuild scan whole collections: in replies of a bounded size, as MongoDB caps them at 16 MB by itself
     * and the stand-in does not (it answered a scan of some 260,000 rides with one reply past the driver's 48 MB).
     */
    @Test
    void verifyAndRebuildScanTheRidesInBoundedReplies() {
        store(someRides(2_500, 7, "scan-"));
        List<Integer> batchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.mongodb.event.CommandListener listener = new com.mongodb.event.CommandListener() {
            @Override
            public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                org.bson.BsonDocument command = event.getCommand();
                String name = event.getCommandName();
                boolean onRides = name.equals("find")
                        ? command.getString("find").getValue().equals(RideStore.COLLECTION)
                        : name.equals("getMore")
                                && command.getString("collection").getValue().equals(RideStore.COLLECTION);
                if (onRides) {
                    batchSizes.add(
                            command.containsKey("batchSize")
                                    ? command.getInt32("batchSize").getValue()
                                    : Integer.MAX_VALUE);
                }
            }
        };
        try (com.mongodb.client.MongoClient client =
                com.mongodb.client.MongoClients.create(com.mongodb.MongoClientSettings.builder()
                        .applyConnectionString(new com.mongodb.ConnectionString(mongo.uri()))
                        .addCommandListener(listener)
                        .build())) {
            Summaries watched = new Summaries(client.getDatabase(mongo.databaseName()));
            assertThat(new SummaryCheck(watched).differences(null, null)).isEmpty();
            new SummaryRebuild(watched).rebuild(null, null, line -> {});
        }
        assertThat(batchSizes)
                .as("every find and getMore over the rides asks for a bounded batch")
                .isNotEmpty()
                .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(Summaries.SCAN_BATCH));
        assertThat(batchSizes.size()).as("2,500 rides came in several replies").isGreaterThanOrEqualTo(3);
    }

    /** A client of the test store that counts its reads of skier-days and skier-seasons into {@code reads}. */
    private static com.mongodb.client.MongoClient countingSkierReads(AtomicInteger reads) {
        com.mongodb.event.CommandListener listener = new com.mongodb.event.CommandListener() {
            @Override
            public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                if (event.getCommandName().equals("find")
                        && List.of(Summaries.SKIER_DAYS, Summaries.SKIER_SEASONS)
                                .contains(event.getCommand().getString("find").getValue())) {
                    reads.incrementAndGet();
                }
            }
        };
        return com.mongodb.client.MongoClients.create(com.mongodb.MongoClientSettings.builder()
                .applyConnectionString(new com.mongodb.ConnectionString(mongo.uri()))
                .addCommandListener(listener)
                .build());
    }

    /**
     * A skier's rides of a new day are inserted as a new skier-day and raised in the season with one checked update:
     * the writer knows the season holds nothing after the days it last saw, so it reads nothing back. A ride of an
     * earlier day (a late upload) is still counted exactly, reading the season back.
     */
    @Test
    void aSkiersNextDayIsCountedWithoutReadingTheSeasonBack() {
        AtomicInteger skierReads = new AtomicInteger();
        try (com.mongodb.client.MongoClient client = countingSkierReads(skierReads)) {
            SummaryWriter watched = new SummaryWriter(new Summaries(client.getDatabase(mongo.databaseName())));
            List<LiftRide> all = new ArrayList<>();
            for (int day = 1; day <= 3; day++) {
                List<LiftRide> batch = new ArrayList<>();
                for (int skier = 1; skier <= 20; skier++) {
                    for (int ride = 0; ride < 3; ride++) {
                        batch.add(new LiftRide(
                                "d" + day + "-s" + skier + "-" + ride,
                                3,
                                "2025",
                                day,
                                skier,
                                10 + 60 * ride,
                                1 + (skier + ride) % 40,
                                Instant.parse("2025-01-01T10:00:00Z")));
                    }
                }
                rides.insert(batch);
                watched.apply(batch);
                all.addAll(batch);
            }
            assertThat(skierReads.get())
                    .as("skier-days and skier-seasons read back while counting three days of the same skiers")
                    .isZero();

            LiftRide late = new LiftRide("late-1", 3, "2025", 1, 7, 300, 12, Instant.parse("2025-01-01T10:00:00Z"));
            rides.insert(List.of(late));
            watched.apply(List.of(late));
            all.add(late);
            assertThat(skierReads.get())
                    .as("a ride of an earlier day reads the skier's season back")
                    .isPositive();
            assertExact(all);
        }
    }

    /**
     * What a ride's update rewrites is bounded by a day: a skier-season holds each day's counts, not its rides (they
     * are in the skier-days' ledgers), so a season of thirty rides a day is no larger than one of a ride a day.
     */
    @Test
    void aSkierSeasonGrowsWithTheDaysSkiedNotWithTheRides() {
        Instant scanned = Instant.parse("2025-01-01T10:00:00Z");
        List<LiftRide> all = new ArrayList<>();
        for (int day = 1; day <= 10; day++) {
            List<LiftRide> batch = new ArrayList<>();
            for (int ride = 0; ride < 30; ride++) {
                batch.add(new LiftRide("busy-" + day + "-" + ride, 3, "2025", day, 1, 10 + ride, 1 + ride, scanned));
            }
            batch.add(new LiftRide("calm-" + day, 3, "2025", day, 2, 10, 1, scanned));
            store(batch);
            all.addAll(batch);
        }
        assertThat(bsonBytes(skierSeason(3, 1)))
                .as("skier 1's season of 300 rides against skier 2's of 10, over the same 10 days")
                .isLessThanOrEqualTo(bsonBytes(skierSeason(3, 2)) + 64);
        assertExact(all);
    }

    /**
     * A worker that raises a season late, with an older view of a day (fewer of its rides), leaves the season at the
     * later counts: a day's counts in a season are only ever raised, whether the worker checks the season's version
     * (it remembers the season) or not (it does not).
     */
    @Test
    void aLateRaiseWithAnOlderViewOfADayLeavesTheSeasonAtTheLaterCounts() {
        List<LiftRide> day =
                oneDay(0, 40).stream().filter(r -> r.skierId() == 1).toList(); // four rides of skier 1
        store(day);
        List<LiftRide> first = day.subList(0, 2);
        LiftRide any = first.get(0);
        SummaryWriter.SkierDay older = new SummaryWriter.SkierDay(
                any.resortId(),
                any.seasonId(),
                any.dayId(),
                any.skierId(),
                0,
                first.stream()
                        .map(r -> new SummaryWriter.Event(r.eventId(), r.liftId(), r.time()))
                        .toList(),
                first.stream().mapToLong(LiftRide::vertical).sum());

        new SummaryWriter(summaries).raiseSkierSeasons(Summaries.FIRST_GENERATION, List.of(older));
        writer.raiseSkierSeasons(Summaries.FIRST_GENERATION, List.of(older));

        assertExact(day);
    }

    private Document skierSeason(int resort, int skier) {
        return summaries
                .skierSeasons()
                .find(Filters.eq("_id", Summaries.skierSeasonId(1, resort, "2025", skier)))
                .first();
    }

    private static int bsonBytes(Document document) {
        return new org.bson.RawBsonDocument(document, new org.bson.codecs.DocumentCodec())
                .getByteBuffer()
                .remaining();
    }

    @Test
    void everyAnswerEqualsTheArithmeticOverTheStoredRides() {
        List<LiftRide> all = someRides(3_000, 1, "e-");
        store(all);
        assertExact(all);
    }

    @Test
    void ridesCountedAgainInAnyOrderByManyWritersAtOnceAreCountedOnce() throws Exception {
        List<LiftRide> all = someRides(2_000, 2, "e-");
        rides.insert(all);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                List<LiftRide> mine = new ArrayList<>(all);
                Collections.shuffle(mine, new Random(w));
                List<LiftRide> twice = new ArrayList<>(mine.subList(0, 1_200)); // most rides are counted by several
                twice.addAll(mine.subList(600, 2_000));
                done.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < twice.size(); i += 50) {
                                writer.apply(twice.subList(i, Math.min(twice.size(), i + 50)));
                            }
                        },
                        writers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        } finally {
            writers.shutdownNow();
        }
        assertExact(all);
    }

    @Test
    void aWriterThatStoppedAfterAnyStepIsHealedWhenTheRidesAreCountedAgain() {
        List<LiftRide> before = someRides(400, 3, "a-");
        store(before);
        for (int stoppedAfter = 1; stoppedAfter <= 3; stoppedAfter++) {
            List<LiftRide> batch = someRides(100, 10 + stoppedAfter, "b" + stoppedAfter + "-");
            rides.insert(batch);
            // The worker dies after `stoppedAfter` steps of the batch; the broker redelivers it to another.
            var days =
                    writer.countInSkierDays(Summaries.FIRST_GENERATION, batch).values();
            if (stoppedAfter >= 2) {
                writer.countInResortDays(Summaries.FIRST_GENERATION, days);
            }
            if (stoppedAfter >= 3) {
                writer.raiseSkierSeasons(Summaries.FIRST_GENERATION, days);
            }
            assertThat(new SummaryCheck(summaries).differences(null, null))
                    .as("after step %d only", stoppedAfter)
                    .isNotEmpty();
            writer.apply(batch);
            before.addAll(batch);
            assertAnswersMatch(before);
            assertThat(new SummaryCheck(summaries).differences(null, null))
                    .as("healed after step %d", stoppedAfter)
                    .isEmpty();
        }
    }

    @Test
    void twoWritersTakingTurnsOnTheSameSkiersCountEachRideOnce() {
        // Each writer's memory of a skier-season is stale every other batch: its checked update fails and it counts
        // one ride at a time; a batch counted again (a redelivery) by the other writer is a no-op.
        SummaryWriter other = new SummaryWriter(summaries);
        List<LiftRide> all = someRides(1_500, 21, "t-");
        rides.insert(all);
        for (int i = 0; i < all.size(); i += 100) {
            List<LiftRide> batch = all.subList(i, i + 100);
            (i % 200 == 0 ? writer : other).apply(batch);
            (i % 200 == 0 ? other : writer).apply(batch.subList(0, 30));
        }
        assertExact(all);
    }

    @Test
    void aBucketBehindTheLedgerCountsWhatItMissedWhenTheSkiersNextRidesCome() {
        List<LiftRide> before = someRides(400, 22, "p-");
        store(before);
        // A batch reaches the ledgers and no further (its shared step failed); the writer remembers the ledgers' new
        // versions, so the next batch's checked update holds and shows it only its own rides of each day.
        List<LiftRide> stopped = someRides(100, 23, "q-");
        rides.insert(stopped);
        writer.countInSkierDays(Summaries.FIRST_GENERATION, stopped);
        List<LiftRide> next = someRides(300, 24, "r-");
        store(next); // a bucket counting less than such a view begins with must read the ledger, not skip the gap
        writer.apply(stopped); // the redelivery: where a bucket had marked the gap as counted, nothing would heal it
        List<LiftRide> all = new ArrayList<>(before);
        all.addAll(stopped);
        all.addAll(next);
        assertExact(all);
    }

    @Test
    void aLedgerNamingARideTheStoreNoLongerHoldsFailsTheBatchInsteadOfGuessingItsLift() {
        // A ledger holds event ids only; a bucket that must count from it reads each ride's lift and time from the
        // rides collection. A ride gone from there (a store restored from an older backup) is a failure to see.
        List<LiftRide> day =
                oneDay(0, 40).stream().filter(r -> r.skierId() == 1).toList(); // four rides of skier 1
        store(day);
        summaries.resortDays().deleteMany(new Document());
        summaries.rides().deleteOne(new Document("_id", day.get(0).eventId()));
        SummaryWriter forgetful = new SummaryWriter(summaries); // remembers nothing: every bucket reads the ledgers

        // The first ride's lift is in the batch where the ride is: a batch of the day's later rides must read it.
        assertThatThrownBy(() -> forgetful.apply(day.subList(1, day.size())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not hold (" + day.get(0).eventId() + ")");
    }

    @Test
    void aWriterThatMustReadMoreDaysAndRidesThanOneQueryAsksReadsThemAllAndCountsExactly() {
        // Two rides each of more skiers than one query asks for (ById.IDS_PER_QUERY); the buckets lost. A writer
        // that remembers nothing, given each skier's second ride, reads every skier-day back and, for the buckets,
        // every first ride from the raw rides: more than one query's worth of each.
        int skiers = ById.IDS_PER_QUERY + 150;
        List<LiftRide> firsts = new ArrayList<>();
        List<LiftRide> seconds = new ArrayList<>();
        for (int skier = 1; skier <= skiers; skier++) {
            for (List<LiftRide> list : List.of(firsts, seconds)) {
                list.add(new LiftRide(
                        "chunk-" + skier + "-" + (list == firsts ? 1 : 2),
                        1,
                        "2025",
                        8,
                        skier,
                        list == firsts ? 30 : 200,
                        1 + skier % 40,
                        Instant.parse("2025-01-01T10:00:00Z")));
            }
        }
        List<LiftRide> all = new ArrayList<>(firsts);
        all.addAll(seconds);
        rides.insert(all);
        writer.apply(all);
        summaries.resortDays().deleteMany(new Document());

        new SummaryWriter(summaries).apply(seconds);

        assertExact(all);
    }

    @Test
    void aSummaryDeletedUnderAWriterIsCountedAgainFromTheLedgerNotFromWhatTheWriterRemembers() {
        List<LiftRide> first = someRides(300, 9, "m-");
        store(first); // the writer now remembers what each bucket and list holds
        summaries.resortDays().deleteMany(new Document());
        summaries.topSkiers().deleteMany(new Document());
        List<LiftRide> more = someRides(300, 10, "n-");
        store(more);
        List<LiftRide> all = new ArrayList<>(first);
        all.addAll(more);
        writer.apply(all); // every ride counted again: each bucket and list is recounted from the ledgers
        assertExact(all);
    }

    @Test
    void aLedgerMadeAnewUnderAWriterThatRemembersItFailsTheBatchForARetryInsteadOfCountingFromItsMemory() {
        // What a rebuild's deletion of the generation a batch is counting into looks like to the writer: the skier's
        // season and its bucket are gone, and the writer remembers three rides of that day.
        List<LiftRide> day =
                oneDay(0, 40).stream().filter(r -> r.skierId() == 1).toList(); // four rides of skier 1
        List<LiftRide> first = day.subList(0, day.size() - 1);
        List<LiftRide> last = day.subList(day.size() - 1, day.size());
        store(first);
        summaries.skierDays().deleteMany(new Document());
        summaries.skierSeasons().deleteMany(new Document());
        summaries.resortDays().deleteMany(new Document());
        rides.insert(last);

        assertThatThrownBy(() -> writer.apply(last))
                .as("the ledger holds less than the writer counted into it")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deleted meanwhile");
        writer.apply(last); // the worker's retry: counted from what the store holds now
        assertThat(reader.skierDay(1, "2025", 5, 1).rides())
                .as("what the store held: the ride counted anew")
                .isEqualTo(1);
        new SummaryRebuild(summaries).rebuild(null, null, line -> {});
        assertExact(day);
    }

    @Test
    void aSkierReadBackIsRememberedSoTheSkiersNextRidesAreCountedWithoutAnyRead() {
        AtomicInteger skierReads = new AtomicInteger();
        try (com.mongodb.client.MongoClient client = countingSkierReads(skierReads)) {
            SummaryWriter watched = new SummaryWriter(new Summaries(client.getDatabase(mongo.databaseName())));
            List<LiftRide> first = oneDay(0, 20);
            rides.insert(first);
            watched.apply(first);
            watched.apply(first); // a redelivery: its checks fail, it counts one by one and reads the days back
            assertThat(skierReads.get())
                    .as("the redelivery read the skier-days back")
                    .isPositive();

            skierReads.set(0);
            List<LiftRide> next = oneDay(20, 20);
            rides.insert(next);
            watched.apply(next);
            assertThat(skierReads.get())
                    .as("reads of skier-days and skier-seasons for the next rides")
                    .isZero();
            List<LiftRide> all = new ArrayList<>(first);
            all.addAll(next);
            assertAnswersMatch(all);
        }
    }

    /** Rides {@code from..from+count} of ten skiers on one day of one resort-season. */
    private static List<LiftRide> oneDay(int from, int count) {
        List<LiftRide> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(new LiftRide(
                    "one-day-" + i,
                    1,
                    "2025",
                    5,
                    1 + i % 10,
                    1 + i,
                    1 + i % 40,
                    Instant.parse("2025-01-01T10:00:00Z")));
        }
        return list;
    }

    @Test
    void theCheckNamesEveryTamperedSummary() {
        List<LiftRide> all = someRides(1_000, 4, "e-");
        store(all);
        LiftRide one = all.get(0);
        LiftRide other = all.stream()
                .filter(r -> r.skierId() != one.skierId())
                .findFirst()
                .orElseThrow();
        tamperWithTheDayOf(one, "rides", 1);
        summaries
                .skierDays()
                .updateOne(
                        Filters.eq(
                                "_id",
                                Summaries.skierDayId(
                                        1, other.resortId(), other.seasonId(), other.dayId(), other.skierId())),
                        Updates.pull("events", other.eventId()));
        summaries.resortDays().updateOne(Filters.eq("resortId", 2), Updates.inc("skiers", 3));
        summaries
                .topSkiers()
                .updateOne(Filters.eq("_id", Summaries.topSeasonId(1, 1, "2025")), Updates.set("skiers", List.of()));

        List<SummaryCheck.Difference> differences = new SummaryCheck(summaries).differences(null, null);

        assertThat(differences)
                .extracting(SummaryCheck.Difference::summary)
                .contains("skier-season", "skier-day", "resort-day", "top-skiers");
        assertThat(differences)
                .anySatisfy(d -> assertThat(d.toString())
                        .startsWith("skier-season resort " + one.resortId() + " season " + one.seasonId() + " day "
                                + one.dayId() + " skier " + one.skierId() + ": the rides say ")
                        .contains("the summary says "));
        assertThat(differences)
                .as("a ledger that lost an event, its counts unchanged")
                .anySatisfy(d -> assertThat(d.toString())
                        .startsWith("skier-day resort " + other.resortId() + " season " + other.seasonId() + " day "
                                + other.dayId() + " skier " + other.skierId() + ": the rides say events ")
                        .contains(other.eventId()));
        assertThat(differences)
                .anySatisfy(d -> assertThat(d.toString())
                        .startsWith("top-skiers resort 1 season 2025: the rides say ")
                        .endsWith("the summary says no skiers"));
        assertThat(new SummaryCheck(summaries).differences(1, "2024"))
                .as("scoped to a season the tampering missed")
                .extracting(SummaryCheck.Difference::summary)
                .doesNotContain("top-skiers");
    }

    @Test
    void aRebuildRepairsTamperedSummariesWhileWritersCountAndReadersNeverSeeAWrongAnswer() throws Exception {
        List<LiftRide> steady = someRides(1_500, 5, "s-").stream()
                .filter(r -> r.resortId() == 2)
                .toList();
        List<LiftRide> flowing = new ArrayList<>(someRides(1_500, 6, "f-").stream()
                .filter(r -> r.resortId() == 1)
                .toList());
        store(steady);
        store(flowing.subList(0, 300));
        tamperWithTheDayOf(flowing.get(0), "vertical", 1_000);
        assertThat(new SummaryCheck(summaries).differences(1, null)).isNotEmpty();
        Map<String, Object> steadyAnswers = answersOf(2);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> wrong = new AtomicReference<>();
        CompletableFuture<Void> writerThread = CompletableFuture.runAsync(() -> {
            for (int i = 300; i < flowing.size(); i += 20) { // a worker keeps storing resort 1's rides
                List<LiftRide> batch = flowing.subList(i, Math.min(flowing.size(), i + 20));
                rides.insert(batch);
                writer.apply(batch);
            }
            writing.set(false);
        });
        CompletableFuture<Void> readerThread = CompletableFuture.runAsync(() -> {
            while (writing.get() && wrong.get() == null) { // an analyst keeps reading resort 2, rebuilt meanwhile
                Map<String, Object> now = answersOf(2);
                if (!now.equals(steadyAnswers)) {
                    wrong.set("resort 2 answered " + now + " instead of " + steadyAnswers);
                }
            }
        });
        List<String> log = new ArrayList<>();
        List<LiftRide> duringBuild =
                someRides(400, 8, "d-").stream().filter(r -> r.resortId() == 1).toList();
        List<SummaryRebuild.Rebuilt> rebuilt = new SummaryRebuild(summaries).rebuild(null, null, line -> {
            log.add(line);
            if (line.startsWith("resort 1 ") && line.contains("filling generation")) {
                store(duringBuild); // stored and counted while the new generation is being filled: certain overlap
            }
        });
        writerThread.get(5, TimeUnit.MINUTES);
        readerThread.get(1, TimeUnit.MINUTES);

        assertThat(wrong.get()).isNull();
        assertThat(rebuilt).extracting(SummaryRebuild.Rebuilt::generation).containsOnly(2);
        assertThat(log)
                .anyMatch(line -> line.startsWith("resort 2 season 2025: filling generation 2 beside generation 1"));
        assertThat(new SummaryCheck(summaries).differences(null, null)).isEmpty();
        List<LiftRide> all = new ArrayList<>(steady);
        all.addAll(flowing);
        all.addAll(duringBuild);
        assertAnswersMatch(all);
        assertThat(summaries.skierSeasons().countDocuments(Filters.regex("_id", "/g1/")))
                .as("the old generation is gone")
                .isZero();
        assertThat(summaries.skierDays().countDocuments(Filters.regex("_id", "/g1/")))
                .as("the old generation's skier-days too")
                .isZero();
    }

    @Test
    void aReaderWhoseGenerationIsSwitchedAndDeletedMidAnswerAnswersAgainFromTheNewOne() throws Exception {
        List<LiftRide> all = someRides(600, 7, "g-");
        store(all);
        Map<String, Object> expected = answersOf(1);
        AtomicBoolean rebuilding = new AtomicBoolean(true);
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicInteger answers = new AtomicInteger();
        CompletableFuture<Void> readerThread = CompletableFuture.runAsync(() -> {
            while (rebuilding.get() && wrong.get() == null) {
                Map<String, Object> now = answersOf(1);
                answers.incrementAndGet();
                if (!now.equals(expected)) {
                    wrong.set("answered " + now + " instead of " + expected);
                }
            }
        });
        try {
            // Each switch deletes the generation just left; a lookup begun on it finds its documents gone. At least
            // 15 switches, and on until the reader has answered more often than that (a fast rebuild outruns it).
            for (int i = 0; (i < 15 || answers.get() <= 15) && i < 1_000 && wrong.get() == null; i++) {
                new SummaryRebuild(summaries).rebuild(1, null, line -> {});
            }
        } finally {
            rebuilding.set(false);
        }
        readerThread.get(1, TimeUnit.MINUTES);
        assertThat(wrong.get()).isNull();
        assertThat(answers.get()).as("answers read while the generations moved").isGreaterThan(15);
    }

    @Test
    void aWriterCountingAcrossASwitchCountsIntoTheNewGenerationAndLeavesNothingInTheOld() throws Exception {
        List<LiftRide> flowing = someRides(2_000, 12, "w-").stream()
                .filter(r -> r.resortId() == 1)
                .toList();
        store(flowing.subList(0, 100));
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Void> writerThread = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 100; i < flowing.size(); i += 10) {
                    List<LiftRide> batch = flowing.subList(i, Math.min(flowing.size(), i + 10));
                    rides.insert(batch);
                    writer.apply(batch); // once: a batch that throws fails the test
                }
            } finally {
                writing.set(false);
            }
        });
        int rebuilds = 0;
        while (writing.get()) { // every switch deletes a generation some batch is counting into
            new SummaryRebuild(summaries).rebuild(1, null, line -> {});
            rebuilds++;
        }
        writerThread.get(5, TimeUnit.MINUTES);

        assertThat(rebuilds).isGreaterThan(2);
        assertExact(flowing);
        for (String collection : Summaries.GENERATION_COLLECTIONS) {
            for (Document d : mongo.database().getCollection(collection).find()) {
                String id = d.getString("_id");
                int generation = Integer.parseInt(id.split("/")[2].substring(1));
                assertThat(generation)
                        .as("%s %s: generations in use are %s", collection, id, new Generations(summaries).seasons(1))
                        .isEqualTo(new Generations(summaries)
                                .seasons(1)
                                .get(id.split("/")[1])
                                .current());
            }
        }
    }

    /** Every answer about one resort, for comparing two moments. */
    private Map<String, Object> answersOf(int resort) {
        Map<String, Object> answers = new TreeMap<>();
        for (String season : List.of("2024", "2025")) {
            answers.put(season + " top", reader.topSkiers(resort, season, null, 100));
            for (int day = 1; day <= 3; day++) {
                answers.put(season + "/" + day + " skiers", reader.uniqueSkiers(resort, season, day));
                answers.put(season + "/" + day + " lifts", reader.liftHours(resort, season, day));
                answers.put(season + "/" + day + " top", reader.topSkiers(resort, season, day, 100));
            }
        }
        for (int skier = 1; skier <= 60; skier += 7) {
            answers.put("skier " + skier, reader.skierSeasons(skier, resort, null));
        }
        return answers;
    }

    /** Adds {@code by} to a field of the ride's day in its skier-season: a summary that no longer matches the rides. */
    private void tamperWithTheDayOf(LiftRide ride, String field, int by) {
        summaries
                .skierSeasons()
                .updateOne(
                        Filters.eq("_id", Summaries.skierSeasonId(1, ride.resortId(), ride.seasonId(), ride.skierId())),
                        Updates.inc("days." + ride.dayId() + "." + field, by));
    }

    /** The model is exact: the verifier finds no difference, and every answer is the arithmetic over {@code all}. */
    private void assertExact(List<LiftRide> all) {
        assertThat(new SummaryCheck(summaries).differences(null, null)).isEmpty();
        assertAnswersMatch(all);
    }

    /** Compares every route's answer with the arithmetic over the rides, done here without the model's code. */
    private void assertAnswersMatch(List<LiftRide> all) {
        Map<String, List<LiftRide>> byDay =
                all.stream().collect(Collectors.groupingBy(r -> r.resortId() + "/" + r.seasonId() + "/" + r.dayId()));
        for (var day : byDay.entrySet()) {
            LiftRide any = day.getValue().get(0);
            int resort = any.resortId();
            String season = any.seasonId();
            int dayId = any.dayId();
            assertThat(reader.uniqueSkiers(resort, season, dayId))
                    .as("skiers " + day.getKey())
                    .isEqualTo(day.getValue().stream()
                            .map(LiftRide::skierId)
                            .distinct()
                            .count());
            Map<String, Long> lifts = new TreeMap<>();
            day.getValue().forEach(r -> lifts.merge(r.liftId() + "/" + (r.time() - 1) / 60, 1L, Long::sum));
            Map<String, Long> answered = new TreeMap<>();
            reader.liftHours(resort, season, dayId).forEach(h -> answered.put(h.liftId() + "/" + h.hour(), h.rides()));
            assertThat(answered).as("lifts " + day.getKey()).isEqualTo(lifts);
            List<SummaryReader.SkierTotals> dayTop = ranking(day.getValue());
            assertThat(reader.topSkiers(resort, season, dayId, 10))
                    .as("day top " + day.getKey())
                    .isEqualTo(dayTop.subList(0, Math.min(10, dayTop.size())));
            for (int skier : day.getValue().stream()
                    .map(LiftRide::skierId)
                    .distinct()
                    .limit(5)
                    .toList()) {
                List<LiftRide> mine = day.getValue().stream()
                        .filter(r -> r.skierId() == skier)
                        .toList();
                assertThat(reader.skierDay(resort, season, dayId, skier))
                        .isEqualTo(new SummaryReader.Totals(
                                mine.size(),
                                mine.stream().mapToLong(LiftRide::vertical).sum()));
            }
        }
        Map<String, List<LiftRide>> bySeason =
                all.stream().collect(Collectors.groupingBy(r -> r.resortId() + "/" + r.seasonId()));
        for (var season : bySeason.entrySet()) {
            LiftRide any = season.getValue().get(0);
            List<SummaryReader.SkierTotals> top = ranking(season.getValue());
            assertThat(reader.topSkiers(any.resortId(), any.seasonId(), null, 100))
                    .as("season top " + season.getKey())
                    .isEqualTo(top.subList(0, Math.min(100, top.size())));
        }
        Set<Integer> skiers = new HashSet<>();
        all.forEach(r -> skiers.add(r.skierId()));
        for (int skier : skiers) {
            List<SummaryReader.SeasonTotals> want = new ArrayList<>();
            all.stream()
                    .filter(r -> r.skierId() == skier)
                    .collect(Collectors.groupingBy(
                            r -> r.resortId() + "/" + r.seasonId(), TreeMap::new, Collectors.toList()))
                    .forEach((k, list) -> want.add(new SummaryReader.SeasonTotals(
                            list.get(0).resortId(),
                            list.get(0).seasonId(),
                            list.size(),
                            list.stream().mapToLong(LiftRide::vertical).sum())));
            assertThat(reader.skierSeasons(skier, null, null))
                    .as("seasons of skier " + skier)
                    .isEqualTo(want);
            assertThat(reader.skierSeasons(skier, 1, "2025"))
                    .isEqualTo(want.stream()
                            .filter(s -> s.resortId() == 1 && s.seasonId().equals("2025"))
                            .toList());
        }
    }

    private static List<SummaryReader.SkierTotals> ranking(List<LiftRide> list) {
        Map<Integer, long[]> totals = new HashMap<>();
        for (LiftRide r : list) {
            long[] t = totals.computeIfAbsent(r.skierId(), k -> new long[2]);
            t[0]++;
            t[1] += r.vertical();
        }
        return totals.entrySet().stream()
                .map(e -> new SummaryReader.SkierTotals(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .sorted(Comparator.comparingLong(SummaryReader.SkierTotals::vertical)
                        .reversed()
                        .thenComparingInt(SummaryReader.SkierTotals::skierId))
                .toList();
    }

    @Test
    void aStoredRideWhoseSummariesAreAskedAboutAnotherDayIsNoAnswerForIt() {
        store(someRides(200, 7, "e-"));
        assertThat(reader.uniqueSkiers(1, "2025", 200)).isZero();
        assertThat(reader.liftHours(1, "2025", 200)).isEmpty();
        assertThat(reader.topSkiers(9, "2025", null, 10)).isEmpty();
        assertThat(reader.skierSeasons(99_999, null, null)).isEmpty();
        assertThat(reader.skierDay(null, "2031", 1, 1)).isEqualTo(new SummaryReader.Totals(0, 0));
        assertThat(summaries.resorts().find(new Document("_id", 1)).first()).isNotNull();
    }
}
