package io.liftline.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Which generation of each resort-season's summaries is read, and which one a rebuild is filling. Kept in the
 * {@link Summaries#RESORTS} document of each resort: {@code {_id: 3, seasons: {"2025": {current: 1, building: 2}}}}.
 */
final class Generations {

    /** A resort-season. */
    record ResortSeason(int resortId, String seasonId) {}

    /**
     * A resort-season's generations: the one read, and the one a rebuild fills (or null).
     *
     * @param current  what readers use; writers keep it exact
     * @param building what a rebuild fills from the raw rides, and writers keep exact as well, until it becomes current
     */
    record Generation(int current, Integer building) {
        /** Every generation a writer must keep exact. */
        List<Integer> targets() {
            return building == null ? List.of(current) : List.of(current, building);
        }
    }

    private final MongoCollection<Document> resorts;

    Generations(Summaries summaries) {
        this.resorts = summaries.resorts();
    }

    /**
     * The generations of these resort-seasons, each made with the first generation when none exists yet. Read anew
     * for every batch a writer applies, after the batch's rides are stored: a rebuild that starts later reads
     * those rides from the raw collection, and one that started earlier is seen here.
     */
    Map<ResortSeason, Generation> forWriting(Set<ResortSeason> keys) {
        Map<ResortSeason, Generation> found = read(keys);
        for (ResortSeason key : keys) {
            if (!found.containsKey(key)) {
                try {
                    resorts.updateOne(
                            Filters.and(
                                    Filters.eq("_id", key.resortId()),
                                    Filters.exists(seasonField(key.seasonId()), false)),
                            Updates.set(seasonField(key.seasonId()) + ".current", Summaries.FIRST_GENERATION),
                            new UpdateOptions().upsert(true));
                } catch (MongoWriteException e) {
                    if (ErrorCategory.fromErrorCode(e.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                        throw e;
                    } // another writer made the resort, or the season, meanwhile: read it below
                }
            }
        }
        if (found.size() < keys.size()) {
            found = read(keys);
        }
        return found;
    }

    private Map<ResortSeason, Generation> read(Set<ResortSeason> keys) {
        Set<Integer> ids = new TreeSet<>();
        keys.forEach(k -> ids.add(k.resortId()));
        Map<ResortSeason, Generation> found = new HashMap<>();
        for (Document resort : resorts.find(Filters.in("_id", ids))) {
            Document seasons = resort.get("seasons", Document.class);
            for (ResortSeason key : keys) {
                if (key.resortId() == resort.getInteger("_id")
                        && seasons != null
                        && seasons.get(key.seasonId()) instanceof Document g) {
                    found.put(key, of(g));
                }
            }
        }
        return found;
    }

    /** A resort's seasons that have summaries, by season, with their generations (empty when none). */
    Map<String, Generation> seasons(int resort) {
        Document doc = resorts.find(Filters.eq("_id", resort)).first();
        return doc == null ? new TreeMap<>() : seasonsOf(doc);
    }

    private static Map<String, Generation> seasonsOf(Document resort) {
        Map<String, Generation> seasons = new TreeMap<>();
        if (resort.get("seasons") instanceof Document all) {
            all.forEach((season, g) -> seasons.put(season, of((Document) g)));
        }
        return seasons;
    }

    /**
     * The generation read of each season of one resort (or, resort null, of every resort), by resort then season:
     * what a reader looks its summaries up in. One query.
     */
    Map<Integer, Map<String, Integer>> currents(Integer resort) {
        Map<Integer, Map<String, Integer>> currents = new TreeMap<>();
        for (Document doc : resort == null ? resorts.find() : resorts.find(Filters.eq("_id", resort))) {
            Map<String, Integer> seasons = new TreeMap<>();
            seasonsOf(doc).forEach((season, g) -> seasons.put(season, g.current()));
            currents.put(doc.getInteger("_id"), seasons);
        }
        return currents;
    }

    /** Every resort with summaries. */
    List<Integer> resortIds() {
        List<Integer> ids = new ArrayList<>();
        for (Document d : resorts.find().projection(new Document("_id", 1))) {
            ids.add(d.getInteger("_id"));
        }
        ids.sort(null);
        return ids;
    }

    /** Starts filling {@code building} beside {@code seen} (unchanged since read); false when it had changed. */
    boolean startBuilding(ResortSeason key, Generation seen, int building) {
        return resorts.updateOne(matches(key, seen), Updates.set(seasonField(key.seasonId()) + ".building", building))
                        .getModifiedCount()
                == 1;
    }

    /** Makes the generation being built the one read; false when the pointer had changed meanwhile. */
    boolean finishBuilding(ResortSeason key, Generation seen) {
        return resorts.updateOne(
                                matches(key, seen),
                                Updates.combine(
                                        Updates.set(seasonField(key.seasonId()) + ".current", seen.building()),
                                        Updates.unset(seasonField(key.seasonId()) + ".building")))
                        .getModifiedCount()
                == 1;
    }

    private static Bson matches(ResortSeason key, Generation seen) {
        String field = seasonField(key.seasonId());
        return Filters.and(
                Filters.eq("_id", key.resortId()),
                Filters.eq(field + ".current", seen.current()),
                seen.building() == null
                        ? Filters.exists(field + ".building", false)
                        : Filters.eq(field + ".building", seen.building()));
    }

    private static String seasonField(String season) {
        return "seasons." + season;
    }

    private static Generation of(Document g) {
        return new Generation(g.getInteger("current", Summaries.FIRST_GENERATION), g.getInteger("building"));
    }
}
