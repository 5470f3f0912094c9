package io.liftline.query.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.mongodb.client.MongoCollection;
import io.liftline.store.RideStore;
import io.liftline.model.LiftRide;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.TestStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real MongoDB's planner (Testcontainers, or LIFTLINE_MONGODB_URI) answers every query with an index scan of the
 * index {@link IndexUseTest} names. The stand-in has no planner and ignores secondary indexes, so there this test
 * is skipped, saying why; IndexUseTest checks the same pipelines against the index keys everywhere.
 */
class QueryPlansIT {

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    @Test
    void everyQueryIsAnIndexScanOfItsIndex() {
        assumeFalse(TestStore.endpoint().source().contains("stand-in"),
                "the store is the mongo-java-server stand-in, which has no query planner");
        RideStore store = new RideStore(mongo.client(), mongo.databaseName());
        store.createIndexes();
        Random random = new Random(3);
        List<LiftRide> rides = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            rides.add(new LiftRide("p-" + i, 1 + random.nextInt(10), "2025", 1 + random.nextInt(30), 1 + random.nextInt(2_000),
                    1 + random.nextInt(360), 1 + random.nextInt(40), Instant.now()));
        }
        store.insert(rides);
        MongoCollection<Document> collection = mongo.database().getCollection(RideStore.COLLECTION);
        for (Object[] plan : IndexUseTest.PLANS) {
            @SuppressWarnings("unchecked")
            List<Bson> pipeline = (List<Bson>) plan[1];
            String explained = collection.aggregate(pipeline).explain().toJson();
            assertThat(explained).as("%s", plan[0]).contains("IXSCAN", (String) plan[2]).doesNotContain("COLLSCAN");
        }
    }
}
