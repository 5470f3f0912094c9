package io.liftline.store;

import com.mongodb.ReadPreference;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;

/**
 * The read model's collections and document ids (docs/stored-documents.md), in one place. Every summary belongs to
 * one generation of its resort-season: readers use the current one, a rebuild fills the next one beside it.
 *
 * <p>Only skier-day documents count rides themselves: each carries the ids of the events it counted (its ledger), so
 * that counting one twice is a no-op. The other summaries are derived from those days by updates that are safe to
 * repeat: a skier-season raises each day's counts to a skier-day's ({@code $max}: counts only grow), resort-day
 * documents record how many events of each skier's day they have counted, and top lists are replaced whole under a
 * version check.
 */
public final class Summaries {

    /** One document per resort: its seasons, and which generation of each is read and which is being built. */
    public static final String RESORTS = "summary_resorts";
    /** {@link #RESORT_DAY_BUCKETS} documents per resort-day: distinct skiers and rides per lift per hour. */
    public static final String RESORT_DAYS = "summary_resort_days";
    /** One document per skier per resort-day: the day's ledger of event ids, its rides and vertical. */
    public static final String SKIER_DAYS = "summary_skier_days";
    /** One document per skier per resort-season: rides and vertical of each day skied. */
    public static final String SKIER_SEASONS = "summary_skier_seasons";
    /** The top skiers by vertical of each resort-season and of each resort-day. */
    public static final String TOP_SKIERS = "summary_top_skiers";

    /**
     * The documents a resort-day's counts are spread over, by skier id: no one document holds every skier of a busy
     * day, and workers updating one day contend on sixteen documents, not one. A reader sums the sixteen.
     */
    public static final int RESORT_DAY_BUCKETS = 16;
    /** How many skiers a top list keeps: the read API's largest limit. */
    public static final int TOP_SIZE = 100;
    /**
     * The most rides a skier-day counts; a worker refuses (dead-letters) the rides beyond it, before storing them. A
     * skier-day's ledger holds each of its event ids and is rewritten by each of its rides: the limit keeps it far
     * below MongoDB's 16 MB a document (about 340,000 ids) and its updates cheap. No skier rides that often: it is a
     * ride every 22 seconds through a ski day of 360 minutes.
     */
    public static final int MAX_RIDES_PER_SKIER_DAY = 1_000;
    /** The generation a resort-season's summaries start in. */
    public static final int FIRST_GENERATION = 1;
    /** The minutes in an hour of the ski day; a ride's time is its minute, 1..360 (hour 0 holds times 1..60). */
    public static final int MINUTES_PER_HOUR = 60;
    /**
     * Documents per reply of a scan over a whole collection (verify, rebuild). MongoDB caps a reply at 16 MB by
     * itself; the stand-in does not, and answered a scan of some 260,000 rides with one reply past the driver's
     * 48 MB limit. A thousand rides are a few hundred KB.
     */
    static final int SCAN_BATCH = 1_000;

    private final MongoDatabase database;

    public Summaries(MongoDatabase database) {
        this.database = database;
    }

    /**
     * These collections read from the primary, whatever the database was given: for those who read back what they or
     * another writer just wrote (the writer's ledgers, buckets, lists and generations; a recount's rides and
     * summaries). A secondary that lags would fail their checks round after round, miss a ride just stored, or report
     * differences that are only its lag. Readers who may be a little stale (the query API) use the database as given.
     */
    Summaries primary() {
        return new Summaries(database.withReadPreference(ReadPreference.primary()));
    }

    MongoCollection<Document> resorts() {
        return database.getCollection(RESORTS);
    }

    MongoCollection<Document> resortDays() {
        return database.getCollection(RESORT_DAYS);
    }

    MongoCollection<Document> skierDays() {
        return database.getCollection(SKIER_DAYS);
    }

    MongoCollection<Document> skierSeasons() {
        return database.getCollection(SKIER_SEASONS);
    }

    MongoCollection<Document> topSkiers() {
        return database.getCollection(TOP_SKIERS);
    }

    MongoCollection<Document> rides() {
        return database.getCollection(RideStore.COLLECTION);
    }

    /** The summary collections apart from {@link #RESORTS}: those whose ids start with {@link #generationPrefix}. */
    static final String[] GENERATION_COLLECTIONS = {SKIER_DAYS, SKIER_SEASONS, RESORT_DAYS, TOP_SKIERS};

    MongoDatabase database() {
        return database;
    }

    /** Every id of one generation of a resort-season starts with this: {@code 3/2025/g1/}. */
    static String generationPrefix(int resort, String season, int generation) {
        return resort + "/" + season + "/g" + generation + "/";
    }

    /** {@code 3/2025/g1/17/b5}: bucket 5 of day 17. */
    static String resortDayId(int generation, int resort, String season, int day, int bucket) {
        return generationPrefix(resort, season, generation) + day + "/b" + bucket;
    }

    /** {@code 3/2025/g1/17/s4242}: skier 4242's day 17. */
    static String skierDayId(int generation, int resort, String season, int day, int skier) {
        return generationPrefix(resort, season, generation) + day + "/s" + skier;
    }

    /** {@code 3/2025/g1/s4242}: skier 4242's season. */
    static String skierSeasonId(int generation, int resort, String season, int skier) {
        return generationPrefix(resort, season, generation) + "s" + skier;
    }

    /** {@code 3/2025/g1/top}: the season's top skiers. */
    static String topSeasonId(int generation, int resort, String season) {
        return generationPrefix(resort, season, generation) + "top";
    }

    /** {@code 3/2025/g1/17/top}: day 17's top skiers. */
    static String topDayId(int generation, int resort, String season, int day) {
        return generationPrefix(resort, season, generation) + day + "/top";
    }

    static int bucket(int skier) {
        return Math.floorMod(skier, RESORT_DAY_BUCKETS);
    }

    /** The hour of the ski day a ride's minute falls in: 0 for minutes 1..60. */
    public static int hour(int time) {
        return (time - 1) / MINUTES_PER_HOUR;
    }
}
