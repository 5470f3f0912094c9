package io.liftline.query.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The analysts' questions over the stored rides, for the read API and {@code scripts/query} alike. Each is one
 * aggregation whose {@code $match} is answered from an index of the contract (docs/stored-rides.md): {@code {skierId, seasonId, dayId}}
 * or {@code {resortId, seasonId, dayId, skierId}} (IndexUseTest holds every pipeline to that).
 */
public final class RideQueries {

    /** A skier's rides and vertical over some span (a day, a season). */
    public record Totals(long rides, long vertical) {
    }

    /** A skier's rides and vertical at one resort in one season. */
    public record SeasonTotals(int resortId, String seasonId, long rides, long vertical) {
    }

    /** Rides on one lift in one hour of the ski day (hour 0 holds times 1..60). */
    public record LiftHour(int liftId, int hour, long rides) {
    }

    /** One skier of a ranking. */
    public record SkierTotals(int skierId, long rides, long vertical) {
    }

    /** The minutes in an hour of the ski day; a ride's time is its minute, 1..360. */
    static final int MINUTES_PER_HOUR = 60;

    private final MongoCollection<Document> rides;
    private final long maxTimeMillis;

    /** @param maxTime how long the store may work on one query before giving up */
    public RideQueries(MongoCollection<Document> rides, Duration maxTime) {
        this.rides = rides;
        this.maxTimeMillis = maxTime.toMillis();
    }

    /** The number of distinct skiers with a ride at the resort that day. */
    public long uniqueSkiers(int resort, String season, int day) {
        Document count = first(uniqueSkiersPipeline(resort, season, day));
        return number(count, "skiers");
    }

    /** A skier's rides and vertical on one day, at one resort or (resort null) at any. */
    public Totals skierDay(Integer resort, String season, int day, int skier) {
        Document total = first(skierDayPipeline(resort, season, day, skier));
        return new Totals(number(total, "rides"), number(total, "vertical"));
    }

    /** A skier's rides and vertical per resort and season, oldest first; resort and season narrow it when not null. */
    public List<SeasonTotals> skierSeasons(int skier, Integer resort, String season) {
        List<SeasonTotals> totals = new ArrayList<>();
        for (Document d : aggregate(skierSeasonsPipeline(skier, resort, season))) {
            Document id = d.get("_id", Document.class);
            totals.add(new SeasonTotals(id.getInteger("resortId"), id.getString("seasonId"), number(d, "rides"),
                    number(d, "vertical")));
        }
        return totals;
    }

    /** Rides per lift per hour of a resort's day, by lift then hour; hours without rides are left out. */
    public List<LiftHour> liftHours(int resort, String season, int day) {
        List<LiftHour> hours = new ArrayList<>();
        for (Document d : aggregate(liftHoursPipeline(resort, season, day))) {
            Document id = d.get("_id", Document.class);
            hours.add(new LiftHour(id.getInteger("liftId"), ((Number) id.get("hour")).intValue(), number(d, "rides")));
        }
        return hours;
    }

    /** The skiers with most vertical at a resort in a season, or on one day of it (day not null); ties by skier id. */
    public List<SkierTotals> topSkiers(int resort, String season, Integer day, int limit) {
        List<SkierTotals> top = new ArrayList<>();
        for (Document d : aggregate(topSkiersPipeline(resort, season, day, limit))) {
            top.add(new SkierTotals(d.getInteger("_id"), number(d, "rides"), number(d, "vertical")));
        }
        return top;
    }

    // The pipelines, apart so that tests can check each $match against the indexes and ask the store to explain it.

    static List<Bson> uniqueSkiersPipeline(int resort, String season, int day) {
        return List.of(Aggregates.match(resortDay(resort, season, day)), Aggregates.group("$skierId"),
                Aggregates.count("skiers"));
    }

    static List<Bson> skierDayPipeline(Integer resort, String season, int day, int skier) {
        Bson match = resort == null
                ? Filters.and(Filters.eq("skierId", skier), Filters.eq("seasonId", season), Filters.eq("dayId", day))
                : Filters.and(resortDay(resort, season, day), Filters.eq("skierId", skier));
        return List.of(Aggregates.match(match), totals(null));
    }

    static List<Bson> skierSeasonsPipeline(int skier, Integer resort, String season) {
        List<Bson> filters = new ArrayList<>(List.of(Filters.eq("skierId", skier)));
        if (season != null) {
            filters.add(Filters.eq("seasonId", season));
        }
        if (resort != null) {
            filters.add(Filters.eq("resortId", resort));
        }
        return List.of(Aggregates.match(Filters.and(filters)),
                totals(new Document("resortId", "$resortId").append("seasonId", "$seasonId")),
                Aggregates.sort(Sorts.ascending("_id.resortId", "_id.seasonId")));
    }

    static List<Bson> liftHoursPipeline(int resort, String season, int day) {
        // hour = floor((time - 1) / 60), computed by the store over the two fields it reads
        Document hour = new Document("$floor", new Document("$divide",
                List.of(new Document("$subtract", List.of("$time", 1)), MINUTES_PER_HOUR)));
        return List.of(Aggregates.match(resortDay(resort, season, day)),
                Aggregates.group(new Document("liftId", "$liftId").append("hour", hour), Accumulators.sum("rides", 1)),
                Aggregates.sort(Sorts.ascending("_id.liftId", "_id.hour")));
    }

    static List<Bson> topSkiersPipeline(int resort, String season, Integer day, int limit) {
        Bson match = day == null ? Filters.and(Filters.eq("resortId", resort), Filters.eq("seasonId", season))
                : resortDay(resort, season, day);
        return List.of(Aggregates.match(match), totals("$skierId"),
                Aggregates.sort(Sorts.orderBy(Sorts.descending("vertical"), Sorts.ascending("_id"))),
                Aggregates.limit(limit));
    }

    private static Bson resortDay(int resort, String season, int day) {
        return Filters.and(Filters.eq("resortId", resort), Filters.eq("seasonId", season), Filters.eq("dayId", day));
    }

    private static Bson totals(Object groupId) {
        return Aggregates.group(groupId, Accumulators.sum("vertical", "$vertical"), Accumulators.sum("rides", 1));
    }

    private Iterable<Document> aggregate(List<Bson> pipeline) {
        return rides.aggregate(pipeline).maxTime(maxTimeMillis, TimeUnit.MILLISECONDS);
    }

    private Document first(List<Bson> pipeline) {
        return rides.aggregate(pipeline).maxTime(maxTimeMillis, TimeUnit.MILLISECONDS).first();
    }

    private static long number(Document d, String field) {
        return d == null || d.get(field) == null ? 0 : ((Number) d.get(field)).longValue();
    }
}
