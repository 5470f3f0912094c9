package io.liftline.query.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.store.RideStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

/**
 * Every query's filter against the indexes the worker creates: the first stage is a {@code $match} of equalities
 * that covers a prefix of one index (the one named here), and nothing sorts on stored fields before the store has
 * grouped them. The stand-in ignores secondary indexes, so this is where a query that would scan the whole
 * collection on MongoDB is caught; {@link QueryPlansIT} asks a real MongoDB's planner where one runs.
 */
class IndexUseTest {

    /** Each query (in each of its shapes), the index it must use, and how many of its keys the filter pins. */
    static final List<Object[]> PLANS = List.of(
            new Object[] {"numSkiers", RideQueries.uniqueSkiersPipeline(1, "2025", 5), "resort_season_day_skier", 3},
            new Object[] {"skier day at a resort", RideQueries.skierDayPipeline(1, "2025", 5, 7), "resort_season_day_skier", 4},
            new Object[] {"skier day anywhere", RideQueries.skierDayPipeline(null, "2025", 5, 7), "skier_season_day", 3},
            new Object[] {"skier seasons at a resort", RideQueries.skierSeasonsPipeline(7, 1, null), "skier_season_day", 1},
            new Object[] {"skier season at a resort", RideQueries.skierSeasonsPipeline(7, 1, "2025"), "skier_season_day", 2},
            new Object[] {"skier seasons anywhere", RideQueries.skierSeasonsPipeline(7, null, null), "skier_season_day", 1},
            new Object[] {"lift hours", RideQueries.liftHoursPipeline(1, "2025", 5), "resort_season_day_skier", 3},
            new Object[] {"top skiers of a season", RideQueries.topSkiersPipeline(1, "2025", null, 10), "resort_season_day_skier", 2},
            new Object[] {"top skiers of a day", RideQueries.topSkiersPipeline(1, "2025", 5, 10), "resort_season_day_skier", 3});

    @Test
    void everyQueryFiltersOnAPrefixOfAContractIndex() {
        for (Object[] plan : PLANS) {
            @SuppressWarnings("unchecked")
            List<Bson> pipeline = (List<Bson>) plan[1];
            String name = (String) plan[0];
            RideStore.Index index = RideStore.INDEXES.stream().filter(i -> i.name().equals(plan[2])).findFirst().orElseThrow();
            Set<String> fields = equalityFields(pipeline, name);
            int pinned = (int) plan[3];
            assertThat(fields).as("%s pins the first %d keys of %s", name, pinned, index).containsAll(index.keys().subList(0, pinned));
            if (pinned < index.keys().size()) {
                assertThat(fields).as("%s: %s is the longest prefix pinned", name, index.keys().subList(0, pinned))
                        .doesNotContain(index.keys().get(pinned));
            }
            assertThat(stagesBeforeGroup(pipeline)).as("%s: only the $match precedes the $group", name).containsExactly("$match");
        }
    }

    @Test
    void aFilterOnNoIndexedPrefixIsCaught() {
        List<Bson> byLift = List.of(com.mongodb.client.model.Aggregates.match(com.mongodb.client.model.Filters.eq("liftId", 3)));
        Set<String> fields = equalityFields(byLift, "by lift");
        assertThat(RideStore.INDEXES).noneMatch(i -> fields.contains(i.keys().get(0)));
    }

    /** The fields the first stage's $match pins to one value ({@code $and} of equalities, as the Filters render). */
    static Set<String> equalityFields(List<Bson> pipeline, String name) {
        BsonDocument first = pipeline.get(0).toBsonDocument();
        assertThat(first.keySet()).as("%s starts with $match", name).containsExactly("$match");
        Set<String> fields = new LinkedHashSet<>();
        collect(first.getDocument("$match"), fields, name);
        return fields;
    }

    private static void collect(BsonDocument filter, Set<String> fields, String name) {
        for (Map.Entry<String, BsonValue> e : filter.entrySet()) {
            if (e.getKey().equals("$and")) {
                e.getValue().asArray().forEach(v -> collect(v.asDocument(), fields, name));
            } else {
                assertThat(e.getKey()).as("%s: an operator other than $and in the filter", name).doesNotStartWith("$");
                assertThat(e.getValue().isDocument()).as("%s: %s is an equality", name, e.getKey()).isFalse();
                fields.add(e.getKey());
            }
        }
    }

    private static List<String> stagesBeforeGroup(List<Bson> pipeline) {
        List<String> stages = new ArrayList<>();
        for (Bson stage : pipeline) {
            String op = stage.toBsonDocument().getFirstKey();
            if (op.equals("$group")) {
                return stages;
            }
            stages.add(op);
        }
        return stages;
    }
}
