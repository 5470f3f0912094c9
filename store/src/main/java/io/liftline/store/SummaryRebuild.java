package io.liftline.store;

import com.mongodb.client.model.Filters;
import io.liftline.model.LiftRide;
import io.liftline.store.Generations.Generation;
import io.liftline.store.Generations.ResortSeason;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * {@code liftline-ops summaries rebuild}: recomputes a resort-season's summaries from the raw rides while ingest
 * runs, with no moment at which a reader gets a wrong answer.
 *
 * <p>The summaries readers use are not touched. A new generation is filled beside them: from the moment it is
 * announced, every worker counts each batch into both (it reads the generations after storing the batch), and
 * this replays the raw rides into the new one (those stored before the announcement included). Counting is
 * idempotent, so a ride counted by both is counted once. When the replay is done, the new generation becomes the
 * one read, in one write, and the old ones are deleted.
 */
public final class SummaryRebuild {

    /** Rides replayed per batch. */
    static final int BATCH = 1_000;

    private final Summaries summaries;
    private final Generations generations;
    private final SummaryWriter writer;

    public SummaryRebuild(Summaries summaries) {
        this.summaries = summaries.primary();
        this.generations = new Generations(this.summaries);
        this.writer = new SummaryWriter(this.summaries);
    }

    /** What one resort-season's rebuild did. */
    public record Rebuilt(int resortId, String seasonId, int generation, long rides) {
        @Override
        public String toString() {
            return "resort " + resortId + " season " + seasonId + ": " + rides + " rides counted into generation "
                    + generation + ", now the one read";
        }
    }

    /** Rebuilds every resort-season of the scope (null: all) that has rides or summaries; progress goes to {@code log}. */
    public List<Rebuilt> rebuild(Integer resort, String season, Consumer<String> log) {
        List<Rebuilt> done = new ArrayList<>();
        for (ResortSeason key : scope(resort, season)) {
            done.add(rebuild(key, log));
        }
        return done;
    }

    private Set<ResortSeason> scope(Integer resort, String season) {
        Set<ResortSeason> keys = new TreeSet<>((a, b) -> a.resortId() != b.resortId()
                ? Integer.compare(a.resortId(), b.resortId())
                : a.seasonId().compareTo(b.seasonId()));
        List<Bson> filters = new ArrayList<>();
        if (resort != null) {
            filters.add(Filters.eq("resortId", resort));
        }
        if (season != null) {
            filters.add(Filters.eq("seasonId", season));
        }
        var rides = summaries
                .rides()
                .find(filters.isEmpty() ? new Document() : Filters.and(filters))
                .projection(new Document("resortId", 1).append("seasonId", 1))
                .batchSize(Summaries.SCAN_BATCH);
        for (Document d : rides) {
            keys.add(new ResortSeason(d.getInteger("resortId"), d.getString("seasonId")));
        }
        for (int r : resort == null ? generations.resortIds() : List.of(resort)) {
            for (String s : generations.seasons(r).keySet()) {
                if (season == null || season.equals(s)) {
                    keys.add(new ResortSeason(r, s));
                }
            }
        }
        return keys;
    }

    private Rebuilt rebuild(ResortSeason key, Consumer<String> log) {
        Generation seen;
        int next;
        do {
            seen = generations.forWriting(Set.of(key)).get(key);
            // Past any generation an interrupted rebuild left behind: its documents are deleted at the end.
            next = Math.max(seen.current(), seen.building() == null ? 0 : seen.building()) + 1;
        } while (!generations.startBuilding(key, seen, next));
        Generation building = new Generation(seen.current(), next);
        log.accept("resort " + key.resortId() + " season " + key.seasonId() + ": filling generation " + next
                + " beside generation " + seen.current() + " (which readers keep using meanwhile)");
        long rides = 0;
        List<LiftRide> batch = new ArrayList<>(BATCH);
        for (Document d : summaries
                .rides()
                .find(Filters.and(Filters.eq("resortId", key.resortId()), Filters.eq("seasonId", key.seasonId())))
                .batchSize(Summaries.SCAN_BATCH)) {
            batch.add(RideStore.fromDocument(d));
            if (batch.size() == BATCH) {
                writer.applyTo(next, batch);
                rides += batch.size();
                batch.clear();
                if (rides % (50 * BATCH) == 0) {
                    log.accept("  " + rides + " rides counted");
                }
            }
        }
        writer.applyTo(next, batch);
        rides += batch.size();
        if (!generations.finishBuilding(key, building)) {
            throw new IllegalStateException("the generations of resort " + key.resortId() + " season " + key.seasonId()
                    + " changed during the rebuild (another rebuild?); generation " + seen.current()
                    + " is still the one read");
        }
        for (int old = Summaries.FIRST_GENERATION; old < next; old++) {
            String prefix = Summaries.generationPrefix(key.resortId(), key.seasonId(), old);
            for (String collection : Summaries.GENERATION_COLLECTIONS) {
                summaries.database().getCollection(collection).deleteMany(SummaryCheck.generationRange(prefix));
            }
        }
        return new Rebuilt(key.resortId(), key.seasonId(), next, rides);
    }
}
