package io.liftline.store;

import com.mongodb.client.FindIterable;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bson.Document;

/**
 * The analysts' questions, answered from the read model for the read API and {@code scripts/query} alike. Each
 * answer is a few lookups by {@code _id} (the resort's generations, the summaries, the generations again to be sure
 * that no rebuild switched them meanwhile), so its cost does not grow with the rides stored; none reads a raw ride.
 */
public final class SummaryReader {

    /** A skier's rides and vertical over some span (a day, a season). */
    public record Totals(long rides, long vertical) {}

    /** A skier's rides and vertical at one resort in one season. */
    public record SeasonTotals(int resortId, String seasonId, long rides, long vertical) {}

    /** Rides on one lift in one hour of the ski day (hour 0 holds times 1..60). */
    public record LiftHour(int liftId, int hour, long rides) {}

    /** One skier of a ranking. */
    public record SkierTotals(int skierId, long rides, long vertical) {}

    private final Summaries summaries;
    private final Generations generations;
    private final long maxTimeMillis;

    /** @param maxTime how long the store may work on one lookup before giving up */
    public SummaryReader(Summaries summaries, Duration maxTime) {
        this.summaries = summaries;
        this.generations = new Generations(summaries);
        this.maxTimeMillis = maxTime.toMillis();
    }

    /** The number of distinct skiers with a ride at the resort that day. */
    public long uniqueSkiers(int resort, String season, int day) {
        return stable(resort, currents -> {
            long skiers = 0;
            for (Document bucket : resortDay(currents, resort, season, day, "skiers")) {
                skiers += SummaryWriter.number(bucket.get("skiers"));
            }
            return skiers;
        });
    }

    /** A skier's rides and vertical on one day, at one resort or (resort null) at any. */
    public Totals skierDay(Integer resort, String season, int day, int skier) {
        return stable(resort, currents -> {
            long rides = 0;
            long vertical = 0;
            for (var r : currents.entrySet()) {
                Integer generation = r.getValue().get(season);
                if (generation == null) {
                    continue;
                }
                Document d = bounded(summaries
                                .skierSeasons()
                                .find(Filters.eq(
                                        "_id", Summaries.skierSeasonId(generation, r.getKey(), season, skier))))
                        .projection(Projections.include("days." + day))
                        .first();
                Document counts =
                        d == null ? null : d.get("days", new Document()).get(String.valueOf(day), Document.class);
                if (counts != null) {
                    rides += SummaryWriter.number(counts.get("rides"));
                    vertical += SummaryWriter.number(counts.get("vertical"));
                }
            }
            return new Totals(rides, vertical);
        });
    }

    /** A skier's rides and vertical per resort and season, by resort then season; resort and season narrow it when not null. */
    public List<SeasonTotals> skierSeasons(int skier, Integer resort, String season) {
        return stable(resort, currents -> {
            List<String> ids = new ArrayList<>();
            currents.forEach((r, seasons) -> seasons.forEach((s, generation) -> {
                if (season == null || season.equals(s)) {
                    ids.add(Summaries.skierSeasonId(generation, r, s, skier));
                }
            }));
            List<SeasonTotals> totals = new ArrayList<>();
            if (ids.isEmpty()) {
                return totals;
            }
            for (Document d : bounded(summaries.skierSeasons().find(Filters.in("_id", ids)))
                    .projection(Projections.include("resortId", "seasonId", "skierId", "days"))) {
                SummaryWriter.Totals t = SummaryWriter.seasonTotals(d);
                totals.add(
                        new SeasonTotals(d.getInteger("resortId"), d.getString("seasonId"), t.rides(), t.vertical()));
            }
            totals.sort((a, b) -> a.resortId() != b.resortId()
                    ? Integer.compare(a.resortId(), b.resortId())
                    : a.seasonId().compareTo(b.seasonId()));
            return totals;
        });
    }

    /** Rides per lift per hour of a resort's day, by lift then hour; hours without rides are left out. */
    public List<LiftHour> liftHours(int resort, String season, int day) {
        return stable(resort, currents -> {
            Map<Integer, Map<Integer, Long>> lifts = new TreeMap<>();
            for (Document bucket : resortDay(currents, resort, season, day, "lifts")) {
                bucket.get("lifts", new Document())
                        .forEach((lift, hours) -> ((Document) hours)
                                .forEach((hour, rides) -> lifts.computeIfAbsent(
                                                Integer.parseInt(lift), l -> new TreeMap<>())
                                        .merge(Integer.parseInt(hour), SummaryWriter.number(rides), Long::sum)));
            }
            List<LiftHour> hours = new ArrayList<>();
            lifts.forEach(
                    (lift, byHour) -> byHour.forEach((hour, rides) -> hours.add(new LiftHour(lift, hour, rides))));
            return hours;
        });
    }

    /** The skiers with most vertical at a resort in a season, or on one day of it (day not null); ties by skier id. */
    public List<SkierTotals> topSkiers(int resort, String season, Integer day, int limit) {
        if (limit > Summaries.TOP_SIZE) {
            throw new IllegalArgumentException(
                    "the top lists keep " + Summaries.TOP_SIZE + " skiers, asked for " + limit);
        }
        return stable(resort, currents -> {
            Integer generation = current(currents, resort, season);
            List<SkierTotals> top = new ArrayList<>();
            if (generation == null) {
                return top;
            }
            String id = day == null
                    ? Summaries.topSeasonId(generation, resort, season)
                    : Summaries.topDayId(generation, resort, season, day);
            Document list =
                    bounded(summaries.topSkiers().find(Filters.eq("_id", id))).first();
            if (list != null) {
                for (SummaryWriter.Totals t : SummaryWriter.topList(list)) {
                    if (top.size() == limit) {
                        break;
                    }
                    top.add(new SkierTotals(t.skierId(), t.rides(), t.vertical()));
                }
            }
            return top;
        });
    }

    /**
     * Answers from the generations read at one moment, and answers again when a rebuild made another generation the
     * one read before the answer was complete: the rebuild deletes the old generation right after, so lookups begun
     * on it may find its documents gone, or half gone. Generations only grow, and the old one is deleted only after
     * the switch, so pointers unchanged after the lookups prove that none of them raced the deletion.
     */
    private <T> T stable(Integer resort, Function<Map<Integer, Map<String, Integer>>, T> answer) {
        Map<Integer, Map<String, Integer>> before = generations.currents(resort);
        while (true) {
            T result = answer.apply(before);
            Map<Integer, Map<String, Integer>> after = generations.currents(resort);
            if (after.equals(before)) {
                return result;
            }
            before = after;
        }
    }

    private static Integer current(Map<Integer, Map<String, Integer>> currents, int resort, String season) {
        return currents.getOrDefault(resort, Map.of()).get(season);
    }

    /** The resort-day's buckets, with one field each. */
    private List<Document> resortDay(
            Map<Integer, Map<String, Integer>> currents, int resort, String season, int day, String field) {
        Integer generation = current(currents, resort, season);
        List<Document> buckets = new ArrayList<>();
        if (generation == null) {
            return buckets;
        }
        List<String> ids = new ArrayList<>(Summaries.RESORT_DAY_BUCKETS);
        for (int b = 0; b < Summaries.RESORT_DAY_BUCKETS; b++) {
            ids.add(Summaries.resortDayId(generation, resort, season, day, b));
        }
        return bounded(summaries.resortDays().find(Filters.in("_id", ids)))
                .projection(Projections.include(field))
                .into(buckets);
    }

    private FindIterable<Document> bounded(FindIterable<Document> find) {
        return find.maxTime(maxTimeMillis, TimeUnit.MILLISECONDS);
    }
}
