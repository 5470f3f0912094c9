package io.liftline.ops;

import com.mongodb.client.MongoCollection;
import io.liftline.query.mongo.RideQueries;
import java.time.Duration;
import org.bson.Document;

/** {@code scripts/query}: the query API's questions ({@link RideQueries}, one implementation), as tables. */
final class Queries {

    private static final Duration MAX_TIME = Duration.ofMinutes(1);

    private final RideQueries queries;

    Queries(MongoCollection<Document> rides) {
        this.queries = new RideQueries(rides, MAX_TIME);
    }

    /** A skier's vertical (and rides) on one day, at any resort. */
    Table skierDay(int skier, String season, int day) {
        RideQueries.Totals total = queries.skierDay(null, season, day, skier);
        return new Table("skierID", "seasonID", "dayID", "rides", "vertical")
                .add(skier, season, day, total.rides(), total.vertical());
    }

    /** A skier's vertical per season at each resort. */
    Table skierSeasons(int skier) {
        Table table = new Table("skierID", "resortID", "seasonID", "rides", "vertical");
        for (RideQueries.SeasonTotals s : queries.skierSeasons(skier, null, null)) {
            table.add(skier, s.resortId(), s.seasonId(), s.rides(), s.vertical());
        }
        return table;
    }

    /** Unique skiers at a resort on a day. */
    Table uniqueSkiers(int resort, String season, int day) {
        return new Table("resortID", "seasonID", "dayID", "uniqueSkiers")
                .add(resort, season, day, queries.uniqueSkiers(resort, season, day));
    }

    /** Rides per lift per hour of the ski day (hour 0 is times 1..60). */
    Table liftHours(int resort, String season, int day) {
        Table table = new Table("liftID", "hour", "rides");
        for (RideQueries.LiftHour h : queries.liftHours(resort, season, day)) {
            table.add(h.liftId(), h.hour(), h.rides());
        }
        return table;
    }

    /** The N skiers with most vertical at a resort in a season (or on one day of it). */
    Table topSkiers(int resort, String season, Integer day, int limit) {
        Table table = new Table("rank", "skierID", "rides", "vertical");
        int rank = 0;
        for (RideQueries.SkierTotals s : queries.topSkiers(resort, season, day, limit)) {
            table.add(++rank, s.skierId(), s.rides(), s.vertical());
        }
        return table;
    }
}
