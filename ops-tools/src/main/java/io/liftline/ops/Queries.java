package io.liftline.ops;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The analysts' questions, each answered from an index of the contract: {@code {skierId, seasonId, dayId}} or
 * {@code {resortId, seasonId, dayId, skierId}} (or a prefix of it).
 */
final class Queries {

    private final MongoCollection<Document> rides;

    Queries(MongoCollection<Document> rides) {
        this.rides = rides;
    }

    /** A skier's vertical (and rides) on one day; index {skierId, seasonId, dayId}. */
    Table skierDay(int skier, String season, int day) {
        Document total = rides.aggregate(List.of(
                Aggregates.match(Filters.and(Filters.eq("skierId", skier), Filters.eq("seasonId", season), Filters.eq("dayId", day))),
                Aggregates.group(null, Accumulators.sum("vertical", "$vertical"), Accumulators.sum("rides", 1)))).first();
        return new Table("skierID", "seasonID", "dayID", "rides", "vertical")
                .add(skier, season, day, number(total, "rides"), number(total, "vertical"));
    }

    /** A skier's vertical per season at each resort; index {skierId, ...} (prefix). */
    Table skierSeasons(int skier) {
        Table table = new Table("skierID", "resortID", "seasonID", "rides", "vertical");
        for (Document d : rides.aggregate(List.of(
                Aggregates.match(Filters.eq("skierId", skier)),
                Aggregates.group(new Document("resortId", "$resortId").append("seasonId", "$seasonId"),
                        Accumulators.sum("vertical", "$vertical"), Accumulators.sum("rides", 1)),
                Aggregates.sort(Sorts.ascending("_id.resortId", "_id.seasonId"))))) {
            Document id = d.get("_id", Document.class);
            table.add(skier, id.get("resortId"), id.get("seasonId"), number(d, "rides"), number(d, "vertical"));
        }
        return table;
    }

    /** Unique skiers at a resort on a day; index {resortId, seasonId, dayId, skierId}. */
    Table uniqueSkiers(int resort, String season, int day) {
        long skiers = 0;
        for (Document ignored : rides.aggregate(List.of(
                Aggregates.match(resortDay(resort, season, day)),
                Aggregates.group("$skierId")))) {
            skiers++;
        }
        return new Table("resortID", "seasonID", "dayID", "uniqueSkiers").add(resort, season, day, skiers);
    }

    /**
     * Rides per lift per hour of the ski day (time is the minute of the day, 1..360, so hour 0 is minutes 1..60);
     * index {resortId, seasonId, dayId, ...}. The hour is bucketed here, over just the two fields read.
     */
    Table liftHours(int resort, String season, int day) {
        Map<Integer, Map<Integer, Long>> counts = new TreeMap<>();
        for (Document d : rides.find(resortDay(resort, season, day)).projection(Projections.include("liftId", "time"))) {
            int hour = (d.getInteger("time") - 1) / 60;
            counts.computeIfAbsent(d.getInteger("liftId"), l -> new TreeMap<>()).merge(hour, 1L, Long::sum);
        }
        Table table = new Table("liftID", "hour", "rides");
        counts.forEach((lift, hours) -> hours.forEach((hour, n) -> table.add(lift, hour, n)));
        return table;
    }

    /** The N skiers with most vertical at a resort in a season (or on one day of it). */
    Table topSkiers(int resort, String season, Integer day, int limit) {
        Bson match = day == null ? Filters.and(Filters.eq("resortId", resort), Filters.eq("seasonId", season))
                : resortDay(resort, season, day);
        Table table = new Table("rank", "skierID", "rides", "vertical");
        int rank = 0;
        for (Document d : rides.aggregate(List.of(
                Aggregates.match(match),
                Aggregates.group("$skierId", Accumulators.sum("vertical", "$vertical"), Accumulators.sum("rides", 1)),
                Aggregates.sort(Sorts.orderBy(Sorts.descending("vertical"), Sorts.ascending("_id"))),
                Aggregates.limit(limit)))) {
            table.add(++rank, d.get("_id"), number(d, "rides"), number(d, "vertical"));
        }
        return table;
    }

    private static Bson resortDay(int resort, String season, int day) {
        return Filters.and(Filters.eq("resortId", resort), Filters.eq("seasonId", season), Filters.eq("dayId", day));
    }

    private static long number(Document d, String field) {
        return d == null || d.get(field) == null ? 0 : ((Number) d.get(field)).longValue();
    }
}
