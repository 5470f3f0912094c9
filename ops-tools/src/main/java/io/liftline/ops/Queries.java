package io.liftline.ops;

import com.mongodb.client.MongoDatabase;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryReader;
import java.time.Duration;

/** {@code scripts/query}: the query API's questions ({@link SummaryReader}, one implementation), as tables. */
final class Queries {

    private static final Duration MAX_TIME = Duration.ofMinutes(1);

    private final SummaryReader queries;

    Queries(MongoDatabase database) {
        this.queries = new SummaryReader(new Summaries(database), MAX_TIME);
    }

    /** A skier's vertical (and rides) on one day, at any resort. */
    Table skierDay(int skier, String season, int day) {
        SummaryReader.Totals total = queries.skierDay(null, season, day, skier);
        return new Table("skierID", "seasonID", "dayID", "rides", "vertical")
                .add(skier, season, day, total.rides(), total.vertical());
    }

    /** A skier's vertical per season at each resort. */
    Table skierSeasons(int skier) {
        Table table = new Table("skierID", "resortID", "seasonID", "rides", "vertical");
        for (SummaryReader.SeasonTotals s : queries.skierSeasons(skier, null, null)) {
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
        for (SummaryReader.LiftHour h : queries.liftHours(resort, season, day)) {
            table.add(h.liftId(), h.hour(), h.rides());
        }
        return table;
    }

    /** The N skiers with most vertical at a resort in a season (or on one day of it). */
    Table topSkiers(int resort, String season, Integer day, int limit) {
        Table table = new Table("rank", "skierID", "rides", "vertical");
        int rank = 0;
        for (SummaryReader.SkierTotals s : queries.topSkiers(resort, season, day, limit)) {
            table.add(++rank, s.skierId(), s.rides(), s.vertical());
        }
        return table;
    }
}
