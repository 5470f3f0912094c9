package io.liftline.store;

import com.mongodb.client.model.Projections;
import io.liftline.model.LiftRide;
import io.liftline.store.Generations.ResortSeason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.bson.Document;

/**
 * Stores a batch's rides but those that would take their skier-day past {@link Summaries#MAX_RIDES_PER_SKIER_DAY}:
 * those are refused (dead-lettered, never stored), so that the raw rides and the read model agree on them. Without a
 * limit, a scanner stuck on one skier id grows one day's ledger without end: each of its updates costs in proportion
 * to the rides before it, and past 16 MB MongoDB writes none, which would hold every batch with a ride of that day,
 * and the worker with them.
 *
 * <p>The limit is judged on the generation readers use, from what the writer remembers of the day's rides and the
 * rides this process let in and has not counted yet (its consumers' batches in flight), and read from the store only
 * where a batch would pass it, or brings many rides of a day the writer knows nothing of: a batch costs nothing more
 * until a day nears the limit. A ride the day's ledger holds already, or that is stored already (a worker died after
 * storing it, before counting it), is never refused: it is stored, so it is counted. Other worker processes' rides in
 * flight are not seen, nor a full day's that a restarted writer has not read yet in small batches, so a day can pass
 * the limit by a batch or so: the limit bounds the document, it does not count exactly to it.
 */
final class SkierDayLimit {

    private static final int MAX_RIDES = Summaries.MAX_RIDES_PER_SKIER_DAY;
    /**
     * Rides of one skier-day in a batch from which a day the writer knows nothing of is read before they are let in: a
     * skier's day has tens of rides, a stuck scanner's batch hundreds.
     */
    private static final int UNKNOWN_DAY_READ = 100;

    private final Summaries summaries;
    private final Generations generations;
    /** The rides the writer last saw a skier-day document hold, by its id; -1 where it knows nothing of it. */
    private final ToLongFunction<String> knownRides;
    /** The generation the writer last counted a resort-season into for readers; null where it has not yet. */
    private final Function<ResortSeason, Integer> lastRead;
    /** The event ids this process let in and has not counted yet, by skier-day; guarded by this. */
    private final Map<Day, Set<String>> inFlight = new HashMap<>();

    SkierDayLimit(
            Summaries summaries,
            Generations generations,
            ToLongFunction<String> knownRides,
            Function<ResortSeason, Integer> lastRead) {
        this.summaries = summaries;
        this.generations = generations;
        this.knownRides = knownRides;
        this.lastRead = lastRead;
    }

    /** A skier-day, in whichever generation. */
    private record Day(ResortSeason season, int dayId, int skierId) {
        static Day of(LiftRide ride) {
            return new Day(new ResortSeason(ride.resortId(), ride.seasonId()), ride.dayId(), ride.skierId());
        }
    }

    /**
     * Inserts the batch's rides that their days can count, and returns what the insert did with the indexes of the
     * whole batch, the refused rides among its rejections ({@link RideStore#SKIER_DAY_FULL}).
     */
    RideStore.WriteResult insert(RideStore rides, List<LiftRide> batch) {
        Map<Integer, String> full = refused(batch);
        List<LiftRide> admitted = new ArrayList<>(batch.size());
        List<Integer> indexes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!full.containsKey(i)) {
                admitted.add(batch.get(i));
                indexes.add(i);
            }
        }
        RideStore.WriteResult written = rides.insert(admitted);
        if (full.isEmpty() && written.rejected().isEmpty()) {
            return written;
        }
        List<RideStore.Rejected> rejected = new ArrayList<>();
        List<LiftRide> notStored = new ArrayList<>();
        for (RideStore.Rejected r : written.rejected()) {
            rejected.add(new RideStore.Rejected(indexes.get(r.index()), r.reason(), r.detail()));
            notStored.add(admitted.get(r.index()));
        }
        counted(notStored); // the store refused them: never to be counted, no longer in flight
        full.forEach((i, why) -> rejected.add(new RideStore.Rejected(i, RideStore.SKIER_DAY_FULL, why)));
        return new RideStore.WriteResult(written.inserted(), written.duplicates(), rejected);
    }

    /** The indexes in the batch of the rides it refuses, each with why; the others are in flight from now on. */
    synchronized Map<Integer, String> refused(List<LiftRide> batch) {
        Map<Day, Map<String, List<Integer>>> byDay = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            LiftRide ride = batch.get(i);
            byDay.computeIfAbsent(Day.of(ride), d -> new LinkedHashMap<>())
                    .computeIfAbsent(ride.eventId(), e -> new ArrayList<>())
                    .add(i);
        }
        Set<Day> near = new LinkedHashSet<>();
        byDay.forEach((day, events) -> {
            Set<String> flying = inFlight.getOrDefault(day, Set.of());
            long fresh =
                    events.keySet().stream().filter(e -> !flying.contains(e)).count();
            Integer generation = lastRead.apply(day.season());
            long known = generation == null ? -1 : knownRides.applyAsLong(id(generation, day));
            if (Math.max(known, 0) + flying.size() + fresh > MAX_RIDES || (known < 0 && fresh >= UNKNOWN_DAY_READ)) {
                near.add(day);
            } else {
                inFlight.computeIfAbsent(day, d -> new HashSet<>()).addAll(events.keySet());
            }
        });
        if (near.isEmpty()) {
            return Map.of();
        }
        Set<ResortSeason> seasons = new HashSet<>();
        near.forEach(day -> seasons.add(day.season()));
        Map<ResortSeason, Generations.Generation> read = generations.forWriting(seasons);
        Map<String, Day> ids = new LinkedHashMap<>();
        near.forEach(day -> ids.put(id(read.get(day.season()).current(), day), day));
        Map<String, Document> stored = new HashMap<>();
        for (Document d : ById.find(summaries.skierDays(), ids.keySet(), Projections.include("rides", "events"))) {
            stored.put(d.getString("_id"), d);
        }
        Map<String, Day> beyond = new LinkedHashMap<>();
        ids.forEach((id, day) -> {
            Document d = stored.get(id);
            Set<String> ledger = d == null ? Set.of() : new HashSet<>(SummaryWriter.ledger(d));
            Set<String> flying = inFlight.computeIfAbsent(day, k -> new HashSet<>());
            flying.removeAll(ledger); // counted meanwhile
            long room = MAX_RIDES - (d == null ? 0 : SummaryWriter.number(d.get("rides"))) - flying.size();
            for (String eventId : byDay.get(day).keySet()) {
                if (ledger.contains(eventId) || flying.contains(eventId)) {
                    continue; // counted already, or let in already (this batch again, after a failed write)
                }
                if (room > 0) {
                    room--;
                    flying.add(eventId);
                } else {
                    beyond.put(eventId, day);
                }
            }
        });
        // A ride stored but not yet counted (its worker died in between) is counted when it comes again: never refused.
        for (Document ride : ById.find(summaries.rides(), beyond.keySet(), Projections.include("_id"))) {
            String eventId = ride.getString("_id");
            inFlight.get(beyond.remove(eventId)).add(eventId);
        }
        near.forEach(day -> inFlight.remove(day, Set.of()));
        Map<Integer, String> refused = new TreeMap<>();
        beyond.forEach((eventId, day) -> {
            String why = "skier " + day.skierId() + "'s day " + day.dayId() + " of season "
                    + day.season().seasonId()
                    + " at resort " + day.season().resortId() + " is full: a skier-day counts at most " + MAX_RIDES
                    + " rides";
            byDay.get(day).get(eventId).forEach(i -> refused.put(i, why));
        });
        return refused;
    }

    /** These rides are counted (or will never be): no longer in flight. */
    synchronized void counted(List<LiftRide> rides) {
        for (LiftRide ride : rides) {
            Day day = Day.of(ride);
            Set<String> flying = inFlight.get(day);
            if (flying != null && flying.remove(ride.eventId()) && flying.isEmpty()) {
                inFlight.remove(day);
            }
        }
    }

    private static String id(int generation, Day day) {
        return Summaries.skierDayId(
                generation, day.season().resortId(), day.season().seasonId(), day.dayId(), day.skierId());
    }
}
