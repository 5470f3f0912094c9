package io.liftline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stand-in's {@code _id} lookups for queries with more conditions answer exactly what a scan would. */
class StandInBackendsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2"})
    void aQueryOnAnIdAndMoreMatchesWhatTheWholeQueryMatches(String kind) {
        MongoBackend backend = kind.equals("memory")
                ? StandInBackends.memory()
                : StandInBackends.h2(dir.resolve("s.mv").toString());
        MongoServer server = new MongoServer(backend);
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            MongoCollection<Document> c = client.getDatabase("t").getCollection("c");
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                docs.add(new Document("_id", "k" + i)
                        .append("n", i)
                        .append("events", List.of(new Document("eventId", "e" + i))));
            }
            c.insertMany(docs);
            Bson hasE3 = Filters.eq("events.eventId", "e3");
            assertThat(c.find(Filters.and(Filters.eq("_id", "k3"), hasE3)).into(new ArrayList<>()))
                    .hasSize(1);
            assertThat(c.find(Filters.and(Filters.eq("_id", "k4"), hasE3)).into(new ArrayList<>()))
                    .isEmpty();
            assertThat(c.find(new Document("_id", "k3").append("n", new Document("$gt", 5)))
                            .into(new ArrayList<>()))
                    .isEmpty();
            assertThat(c.find(new Document("_id", "k9").append("n", new Document("$gt", 5)))
                            .into(new ArrayList<>()))
                    .hasSize(1);
            assertThat(c.find(Filters.and(Filters.in("_id", List.of("k1", "k2", "k40")), Filters.gt("n", 1)))
                            .map(d -> d.getString("_id"))
                            .into(new ArrayList<>()))
                    .containsExactlyInAnyOrder("k2", "k40");
            assertThat(c.updateOne(
                                    Filters.and(Filters.eq("_id", "k5"), Filters.ne("events.eventId", "e5")),
                                    Updates.inc("n", 1))
                            .getMatchedCount())
                    .as("the condition still decides")
                    .isZero();
            assertThat(c.updateOne(
                                    Filters.and(Filters.eq("_id", "k5"), Filters.ne("events.eventId", "other")),
                                    Updates.inc("n", 1))
                            .getMatchedCount())
                    .isEqualTo(1);
            assertThat(c.find(Filters.eq("_id", "k5")).first().getInteger("n")).isEqualTo(6);
            assertThat(c.countDocuments(Filters.gt("n", 40)))
                    .as("queries without an _id still scan")
                    .isEqualTo(9);
        } finally {
            server.shutdownNow();
            backend.close();
        }
    }
}
