package io.liftline.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.liftline.model.LiftRide;
import io.liftline.store.Generations.Generation;
import io.liftline.store.SummaryWriter.Totals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * {@code liftline-ops summaries verify}: recounts every summary from the raw rides, with arithmetic of its own, and
 * lists each one that differs from what readers are given (the current generation).
 */
public final class SummaryCheck {

    /**
     * One summary that differs from the raw rides.
     *
     * @param summary  which kind: skier-day, skier-season (a day's counts in it), resort-day, top-skiers
     * @param key      which one, as a reader names it (resort 3, season 2025, day 17, skier 4242)
     * @param expected what the raw rides say
     * @param found    what the summary says
     */
    public record Difference(String summary, String key, String expected, String found) {
        @Override
        public String toString() {
            return summary + " " + key + ": the rides say " + expected + ", the summary says " + found;
        }
    }

    private final Summaries summaries;
    private final Generations generations;

    public SummaryCheck(Summaries summaries) {
        this.summaries = summaries.primary();
        this.generations = new Generations(this.summaries);
    }

    /** Every difference in the resort-seasons of the scope (null: all). */
    public List<Difference> differences(Integer resort, String season) {
        Expected expected = recount(resort, season);
        Set<String> seasons = new TreeSet<>(expected.resortSeasons);
        for (int r : resort == null ? generations.resortIds() : List.of(resort)) {
            generations.seasons(r).keySet().stream()
                    .filter(s -> season == null || season.equals(s))
                    .forEach(s -> seasons.add(r + "/" + s));
        }
        List<Difference> differences = new ArrayList<>();
        for (String resortSeason : seasons) {
            int r = Integer.parseInt(resortSeason.substring(0, resortSeason.indexOf('/')));
            String s = resortSeason.substring(resortSeason.indexOf('/') + 1);
            Generation generation = generations.seasons(r).get(s);
            if (generation == null) {
                differences.add(new Difference("resort-season", key(r, s), "summaries", "none"));
                continue;
            }
            compare(r, s, generation.current(), expected, differences);
        }
        return differences;
    }

    /** What the raw rides say, per summary. */
    private static final class Expected {
        final Set<String> resortSeasons = new TreeSet<>();
        final Map<String, DayCount> skierDays = new TreeMap<>(); // key(r, s, d, k)
        final Map<String, Set<Integer>> dayskiers = new HashMap<>(); // key(r, s, d)
        final Map<String, Map<String, Long>> dayLifts = new HashMap<>(); // key(r, s, d) -> "lift/hour" -> rides
        final Map<String, Map<Integer, DayCount>> skierSeasons = new HashMap<>(); // key(r, s, k) -> day -> count
    }

    private static final class DayCount {
        long rides;
        long vertical;
        final Set<String> events = new HashSet<>();
    }

    private Expected recount(Integer resort, String season) {
        List<Bson> filters = new ArrayList<>();
        if (resort != null) {
            filters.add(Filters.eq("resortId", resort));
        }
        if (season != null) {
            filters.add(Filters.eq("seasonId", season));
        }
        Expected e = new Expected();
        MongoCollection<Document> rides = summaries.rides();
        for (Document d :
                (filters.isEmpty() ? rides.find() : rides.find(Filters.and(filters))).batchSize(Summaries.SCAN_BATCH)) {
            LiftRide ride = RideStore.fromDocument(d);
            int r = ride.resortId();
            String s = ride.seasonId();
            e.resortSeasons.add(r + "/" + s);
            DayCount day = e.skierDays.computeIfAbsent(key(r, s, ride.dayId(), ride.skierId()), k -> new DayCount());
            day.rides++;
            day.vertical += ride.vertical();
            day.events.add(ride.eventId());
            e.skierSeasons
                    .computeIfAbsent(key(r, s) + " skier " + ride.skierId(), k -> new TreeMap<>())
                    .put(ride.dayId(), day);
            e.dayskiers
                    .computeIfAbsent(key(r, s, ride.dayId()), k -> new HashSet<>())
                    .add(ride.skierId());
            e.dayLifts
                    .computeIfAbsent(key(r, s, ride.dayId()), k -> new TreeMap<>())
                    .merge(ride.liftId() + "/" + Summaries.hour(ride.time()), 1L, Long::sum);
        }
        return e;
    }

    private void compare(int r, String s, int generation, Expected e, List<Difference> out) {
        String prefix = Summaries.generationPrefix(r, s, generation);
        // Skier-days: counts and ledger; and each day's counts in its skier-season, which readers are given.
        Map<String, long[]> dayCounts = new HashMap<>();
        Map<String, Set<String>> dayLedgers = new HashMap<>();
        for (Document day : inGeneration(summaries.skierDays(), prefix)) {
            String k = key(r, s, day.getInteger("dayId"), day.getInteger("skierId"));
            dayCounts.put(
                    k, new long[] {SummaryWriter.number(day.get("rides")), SummaryWriter.number(day.get("vertical"))});
            dayLedgers.put(k, new HashSet<>(SummaryWriter.ledger(day)));
        }
        Map<String, long[]> seasonDayCounts = new HashMap<>();
        for (Document season : inGeneration(summaries.skierSeasons(), prefix)) {
            int skier = season.getInteger("skierId");
            season.get("days", new Document())
                    .forEach((day, counts) -> seasonDayCounts.put(key(r, s, Integer.parseInt(day), skier), new long[] {
                        SummaryWriter.number(((Document) counts).get("rides")),
                        SummaryWriter.number(((Document) counts).get("vertical"))
                    }));
        }
        Set<String> dayKeys = new TreeSet<>(dayCounts.keySet());
        dayKeys.addAll(seasonDayCounts.keySet());
        e.skierDays.keySet().stream().filter(k -> k.startsWith(key(r, s) + " ")).forEach(dayKeys::add);
        Map<String, List<Totals>> dayRankings = new HashMap<>();
        for (String k : dayKeys) {
            DayCount want = e.skierDays.get(k);
            long[] got = dayCounts.get(k);
            String wanted = want == null ? "no rides" : counts(want.rides, want.vertical);
            String found = got == null ? "no rides" : counts(got[0], got[1]);
            long[] inSeason = seasonDayCounts.get(k);
            String foundInSeason = inSeason == null ? "no rides" : counts(inSeason[0], inSeason[1]);
            if (!wanted.equals(foundInSeason)) {
                out.add(new Difference("skier-season", k, wanted, foundInSeason));
            }
            if (!wanted.equals(found)) {
                out.add(new Difference("skier-day", k, wanted, found));
            } else if (want != null && !want.events.equals(dayLedgers.get(k))) {
                out.add(new Difference(
                        "skier-day",
                        k,
                        "events " + new TreeSet<>(want.events),
                        "events " + new TreeSet<>(dayLedgers.get(k))));
            }
            if (want != null) {
                String day = k.substring(0, k.lastIndexOf(" skier "));
                dayRankings
                        .computeIfAbsent(day, x -> new ArrayList<>())
                        .add(new Totals(skierOf(k), want.rides, want.vertical));
            }
        }
        // Resort-days: distinct skiers and rides per lift per hour, summed over the buckets.
        Map<String, long[]> skiers = new TreeMap<>();
        Map<String, Map<String, Long>> lifts = new TreeMap<>();
        for (Document bucket : inGeneration(summaries.resortDays(), prefix)) {
            String day = key(r, s, bucket.getInteger("dayId"));
            skiers.computeIfAbsent(day, x -> new long[1])[0] += SummaryWriter.number(bucket.get("skiers"));
            Map<String, Long> dayLifts = lifts.computeIfAbsent(day, x -> new TreeMap<>());
            bucket.get("lifts", new Document())
                    .forEach((lift, hours) -> ((Document) hours)
                            .forEach((hour, n) ->
                                    dayLifts.merge(lift + "/" + hour, SummaryWriter.number(n), Long::sum)));
        }
        Set<String> resortDays = new TreeSet<>(skiers.keySet());
        e.dayskiers.keySet().stream().filter(k -> k.startsWith(key(r, s) + " ")).forEach(resortDays::add);
        for (String day : resortDays) {
            long want = e.dayskiers.getOrDefault(day, Set.of()).size();
            long got = skiers.getOrDefault(day, new long[1])[0];
            if (want != got) {
                out.add(new Difference("resort-day", day, want + " skiers", got + " skiers"));
            }
            Map<String, Long> wantLifts = e.dayLifts.getOrDefault(day, Map.of());
            Map<String, Long> gotLifts = lifts.getOrDefault(day, Map.of());
            gotLifts.values().removeIf(n -> n == 0);
            if (!new TreeMap<>(wantLifts).equals(new TreeMap<>(gotLifts))) {
                out.add(new Difference(
                        "resort-day",
                        day,
                        "rides per lift/hour " + new TreeMap<>(wantLifts),
                        "rides per lift/hour " + new TreeMap<>(gotLifts)));
            }
        }
        // Season totals, for the season's top list (each day's counts were compared above).
        List<Totals> seasonRanking = new ArrayList<>();
        for (var season : e.skierSeasons.entrySet()) {
            if (season.getKey().startsWith(key(r, s) + " ")) {
                long rides = 0;
                long vertical = 0;
                for (DayCount day : season.getValue().values()) {
                    rides += day.rides;
                    vertical += day.vertical;
                }
                seasonRanking.add(new Totals(skierOf(season.getKey()), rides, vertical));
            }
        }
        // Top lists: the exact top of the day's and of the season's totals.
        Map<String, Document> tops = byKey(
                summaries.topSkiers(),
                prefix,
                d -> d.get("dayId") == null ? key(r, s) : key(r, s, d.getInteger("dayId")));
        compareTop(key(r, s), seasonRanking, tops.remove(key(r, s)), out);
        for (var day : dayRankings.entrySet()) {
            compareTop(day.getKey(), day.getValue(), tops.remove(day.getKey()), out);
        }
        tops.forEach((k, list) -> compareTop(k, List.of(), list, out));
    }

    private static void compareTop(String key, List<Totals> ranking, Document stored, List<Difference> out) {
        List<Totals> want = new ArrayList<>(ranking);
        want.sort(SummaryWriter.RANKING);
        want = want.subList(0, Math.min(want.size(), Summaries.TOP_SIZE));
        List<Totals> got = stored == null ? List.of() : SummaryWriter.topList(stored);
        if (!Objects.equals(want, got)) {
            out.add(new Difference("top-skiers", key, describe(want), describe(got)));
        }
    }

    private static String describe(List<Totals> top) {
        if (top.isEmpty()) {
            return "no skiers";
        }
        List<String> first = new ArrayList<>();
        for (Totals t : top.subList(0, Math.min(5, top.size()))) {
            first.add("skier " + t.skierId() + " " + counts(t.rides(), t.vertical()));
        }
        return top.size() + " skiers, first " + String.join(", ", first);
    }

    private static Map<String, Document> byKey(
            MongoCollection<Document> collection, String prefix, java.util.function.Function<Document, String> key) {
        Map<String, Document> docs = new HashMap<>();
        for (Document d : inGeneration(collection, prefix)) {
            docs.put(key.apply(d), d);
        }
        return docs;
    }

    /** Every document of one generation: ids from {@code prefix} ("3/2025/g1/") up to, not including, "3/2025/g10". */
    static Iterable<Document> inGeneration(MongoCollection<Document> collection, String prefix) {
        return collection.find(generationRange(prefix)).batchSize(Summaries.SCAN_BATCH);
    }

    static Bson generationRange(String prefix) {
        String end = prefix.substring(0, prefix.length() - 1) + "0"; // '0' follows '/'
        return Filters.and(Filters.gte("_id", prefix), Filters.lt("_id", end));
    }

    private static String counts(long rides, long vertical) {
        return rides + " rides, " + vertical + " vertical";
    }

    private static int skierOf(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf(' ') + 1));
    }

    static String key(int resort, String season) {
        return "resort " + resort + " season " + season;
    }

    static String key(int resort, String season, int day) {
        return key(resort, season) + " day " + day;
    }

    static String key(int resort, String season, int day, int skier) {
        return key(resort, season, day) + " skier " + skier;
    }
}
