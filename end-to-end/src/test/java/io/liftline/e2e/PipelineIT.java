package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import io.liftline.model.RideJson;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PipelineIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final HttpClient http = HttpClient.newHttpClient();
    private static TestPipeline pipeline;

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = TestPipeline.start(backends.rabbit().amqpUri(), backends.mongo());
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aPostedRideIsStoredAsExactlyTheContractDocument() throws Exception {
        Instant before = Instant.now();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + pipeline.port() + "/skiers/7/seasons/2025/days/42/skiers/31337"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"time\": 217, \"liftID\": 21}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode body = RideJson.MAPPER.readTree(response.body());
        String eventId = body.path("eventId").asText();
        assertThat(eventId).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

        MongoCollection<Document> rides = backends.mongo().database().getCollection("rides");
        Document stored = Poll.waitAtMost(
                Duration.ofSeconds(15),
                "ride " + eventId + " stored",
                () -> rides.find(new Document("_id", eventId)).first(),
                d -> d != null);
        Date receivedAt = stored.getDate("receivedAt");
        assertThat(receivedAt.toInstant()).isBetween(before.minusMillis(1), Instant.now());
        assertThat(stored)
                .isEqualTo(new Document("_id", eventId)
                        .append("resortId", 7)
                        .append("seasonId", "2025")
                        .append("dayId", 42)
                        .append("skierId", 31337)
                        .append("time", 217)
                        .append("liftId", 21)
                        .append("vertical", 210)
                        .append("receivedAt", receivedAt));
        assertThat(rides.countDocuments()).isEqualTo(1);
    }
}
