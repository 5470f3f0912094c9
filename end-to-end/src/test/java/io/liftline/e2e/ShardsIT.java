package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.Shards;
import io.liftline.consumer.ConsumerApp;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.model.RideJson;
import io.liftline.producer.ProducerApp;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three shard queues: each skier's rides on one shard, in order; a worker takes the shards it is given. */
class ShardsIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final Shards THREE = new Shards(3);
    private final HttpClient http = HttpClient.newHttpClient();

    private void post(int port, String path, String body) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
    }

    @Test
    void ridesGoToTheirSkiersShardInOrderAndWorkersTakeTheShardsTheyAreGiven() throws Exception {
        try (ProducerApp producer = ProducerApp.start(ProducerConfig.of(Values.defaults()
                .set(ProducerConfig.AMQP_URI, backends.rabbit().amqpUri())
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)
                .set(ProducerConfig.SHARDS, 3)))) {
            assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
            List<String> batch = new ArrayList<>();
            for (int skier = 1; skier <= 300; skier++) {
                batch.add(
                        "{\"eventId\":\"s" + skier + "\",\"resortID\":3,\"seasonID\":\"2025\",\"dayID\":1,\"skierID\":"
                                + skier + ",\"time\":1,\"liftID\":1}");
            }
            post(producer.port(), "/rides", "[" + String.join(",", batch) + "]");
            for (int time = 2; time <= 20; time++) { // one skier's day, one scan after another
                post(
                        producer.port(),
                        "/skiers/3/seasons/2025/days/1/skiers/4242",
                        "{\"time\":" + time + ",\"liftID\":1}");
            }
            int[] expected = new int[3];
            for (int skier = 1; skier <= 300; skier++) {
                expected[THREE.of(skier)]++;
            }
            expected[THREE.of(4242)] += 19;
            for (int shard = 0; shard < 3; shard++) {
                assertThat(backends.rabbit().readyMessages(THREE.queue(shard)))
                        .as(THREE.queue(shard))
                        .isEqualTo(expected[shard]);
            }
            // Skier 4242's rides, in the order they were posted, all on its shard.
            List<Integer> times = new ArrayList<>();
            try (Channel channel = backends.rabbit().connection().createChannel()) {
                for (GetResponse got = channel.basicGet(THREE.queue(THREE.of(4242)), false);
                        got != null;
                        got = channel.basicGet(THREE.queue(THREE.of(4242)), false)) {
                    var ride = RideJson.fromMessage(got.getBody());
                    if (ride.skierId() == 4242 && ride.time() > 1) {
                        times.add(ride.time());
                    }
                }
            } // closing the channel returns every message, unacked, to its queue
            assertThat(times).isSorted().hasSize(19);

            int untaken = THREE.of(4242) == 2 ? 0 : 2; // a shard the first worker leaves alone
            String taken = untaken == 2 ? "0,1" : untaken == 0 ? "1,2" : "0,2";
            try (ConsumerApp worker = ConsumerApp.start(ConsumerConfig.of(Values.defaults()
                    .set(ConsumerConfig.AMQP_URI, backends.rabbit().amqpUri())
                    .set(ConsumerConfig.MONGODB_URI, backends.mongo().uri())
                    .set(ConsumerConfig.MONGODB_DATABASE, backends.mongo().databaseName())
                    .set(ConsumerConfig.ADMIN_PORT, -1)
                    .set(ConsumerConfig.SHARDS, 3)
                    .set(ConsumerConfig.CONSUME_SHARDS, taken)))) {
                MongoCollection<Document> rides = backends.mongo().database().getCollection("rides");
                long expectedStored = 319 - expected[untaken];
                Poll.waitAtMost(
                        Duration.ofSeconds(20),
                        "the taken shards stored",
                        () -> rides.countDocuments() == expectedStored);
                Thread.sleep(500);
                assertThat(rides.countDocuments()).isEqualTo(expectedStored);
                assertThat(backends.rabbit().readyMessages(THREE.queue(untaken)))
                        .isEqualTo(expected[untaken]);
                Set<Integer> shardsStored = new HashSet<>();
                for (Document d : rides.find()) {
                    shardsStored.add(THREE.of(d.getInteger("skierId")));
                }
                assertThat(shardsStored).doesNotContain(untaken);
            }
            try (ConsumerApp all = ConsumerApp.start(ConsumerConfig.of(Values.defaults()
                    .set(ConsumerConfig.AMQP_URI, backends.rabbit().amqpUri())
                    .set(ConsumerConfig.MONGODB_URI, backends.mongo().uri())
                    .set(ConsumerConfig.MONGODB_DATABASE, backends.mongo().databaseName())
                    .set(ConsumerConfig.ADMIN_PORT, -1)
                    .set(ConsumerConfig.SHARDS, 3)))) {
                Poll.waitAtMost(
                        Duration.ofSeconds(20),
                        "every shard stored",
                        () -> backends.mongo().database().getCollection("rides").countDocuments() == 319);
                Poll.waitAtMost(
                        Duration.ofSeconds(20),
                        "every consumer of every shard subscribed",
                        () -> all.notReadyReason() == null);
            }
        }
    }
}
