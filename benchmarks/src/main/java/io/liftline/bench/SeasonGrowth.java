package io.liftline.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code SeasonGrowth MONGODB_URI DATABASE SKIERS DAYS [RIDES_PER_DAY] [BATCH]}: stores a season day by day (each
 * skier riding RIDES_PER_DAY times a day, in turn, at one resort) and counts it into the read model as a worker
 * does, one thread, and prints what a ride cost on each tenth day, and the last tenth of the season's cost over the
 * first's: whether the writer's cost grows as the season's summaries do. A warm-up day at another resort goes first,
 * unmeasured, so that day 1 is not the JIT's.
 */
public final class SeasonGrowth {

    private static final int RESORT = 1;
    private static final int WARM_UP_RESORT = 2;

    private SeasonGrowth() {}

    public static void main(String[] args) {
        String uri = args[0];
        String database = args[1];
        int skiers = Integer.parseInt(args[2]);
        int days = Integer.parseInt(args[3]);
        int ridesPerDay = args.length > 4 ? Integer.parseInt(args[4]) : 26;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 2_000;
        try (MongoClient client = MongoClients.create(uri)) {
            RideStore rides = new RideStore(client, database);
            SummaryWriter summaries = new SummaryWriter(new Summaries(client.getDatabase(database)));
            storeDay(rides, summaries, WARM_UP_RESORT, 1, skiers, ridesPerDay, batch);
            double[] cost = new double[days + 1];
            for (int day = 1; day <= days; day++) {
                cost[day] = storeDay(rides, summaries, RESORT, day, skiers, ridesPerDay, batch);
                if (day == 1 || day % 10 == 0 || day == days) {
                    System.out.printf(
                            "day %3d: %6.1f us a ride (%d rides of the season stored, %d a skier)%n",
                            day, cost[day], (long) day * skiers * ridesPerDay, (long) day * ridesPerDay);
                }
            }
            // Tenths of the season, not single days: one day's figure moves with the machine by tens of percent.
            int tenth = Math.max(1, days / 10);
            double first = Arrays.stream(cost, 1, 1 + tenth).average().orElseThrow();
            double last =
                    Arrays.stream(cost, days + 1 - tenth, days + 1).average().orElseThrow();
            System.out.printf(
                    "ratio last %d days / first %d days: %.2f (target <= 1.5: a ride's cost does not grow with the"
                            + " season)%n",
                    tenth, tenth, last / first);
        }
    }

    /** Stores and counts one day's rides at a resort, in batches as a worker does; the time a ride took, in us. */
    private static double storeDay(
            RideStore rides, SummaryWriter summaries, int resort, int day, int skiers, int ridesPerDay, int batch) {
        SplittableRandom random = new SplittableRandom(31L * resort + day);
        int count = skiers * ridesPerDay;
        Instant now = Instant.now();
        List<LiftRide> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(new LiftRide(
                    "season-" + resort + "-" + day + "-" + i,
                    resort,
                    "2025",
                    day,
                    1 + i % skiers,
                    1 + (int) (i * 360L / count),
                    random.nextInt(1, 41),
                    now));
        }
        long start = System.nanoTime();
        for (int from = 0; from < count; from += batch) {
            List<LiftRide> part = all.subList(from, Math.min(count, from + batch));
            rides.insert(part);
            summaries.apply(part);
        }
        return (System.nanoTime() - start) / 1_000.0 / count;
    }
}
