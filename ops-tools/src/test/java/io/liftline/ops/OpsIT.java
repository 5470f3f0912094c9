package io.liftline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.liftline.broker.BrokerClients;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TestBroker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class OpsIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    /** What a command printed, and its exit code. */
    private record Result(int exit, String out) {
        JsonNode json() throws Exception {
            return RideJson.MAPPER.readTree(out);
        }
    }

    private static Result ops(String input, String... args) {
        return ops(Map.of(), input, args);
    }

    private static Result ops(Map<String, String> moreEnv, String input, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TestBroker.Endpoint broker = TestBroker.endpoint();
        Map<String, String> env = new java.util.HashMap<>(moreEnv);
        env.putAll(Map.of(
                "LIFTLINE_AMQP_URI",
                backends.rabbit().amqpUri(),
                "LIFTLINE_MANAGEMENT_URI",
                "http://" + broker.username() + ":" + broker.password() + "@"
                        + broker.managementUri().getHost() + ":"
                        + broker.managementUri().getPort(),
                "LIFTLINE_MONGODB_URI",
                backends.mongo().uri(),
                "LIFTLINE_MONGODB_DATABASE",
                backends.mongo().databaseName()));
        int exit = OpsMain.run(
                args,
                env::get,
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void emptyQueues() throws Exception {
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Topology.declare(channel);
            channel.queuePurge(Topology.QUEUE);
            channel.queuePurge(Topology.DEAD_LETTER_QUEUE);
        }
    }

    private static void deadLetter(String id, String reason, Instant at) throws Exception {
        deadLetter(id, reason, at, Topology.QUEUE);
    }

    private static void deadLetter(String id, String reason, Instant at, String sourceQueue) throws Exception {
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            channel.confirmSelect();
            Map<String, Object> headers = new HashMap<>();
            headers.put("x-liftline-reason", reason);
            headers.put("x-liftline-detail", "because " + id);
            headers.put("x-liftline-dead-lettered-at", at.toString());
            headers.put("x-liftline-source-queue", sourceQueue);
            headers.put(Topology.SCHEMA_VERSION_HEADER, 1);
            channel.basicPublish(
                    Topology.DEAD_LETTER_EXCHANGE,
                    Topology.ROUTING_KEY,
                    new AMQP.BasicProperties.Builder()
                            .messageId(id)
                            .deliveryMode(2)
                            .headers(headers)
                            .build(),
                    ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    @Test
    void usersLoadMakesEachAppsUserWithItsPermissionsAndKeepsItsUri(@TempDir Path dir) throws Exception {
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Topology.declare(channel);
        }
        // rabbitmq/users.json's users and rules, named for this test's vhost (users are global to the broker).
        String producer = backends.rabbit().vhost() + ".producer";
        String ops = backends.rabbit().vhost() + ".ops";
        Path users = dir.resolve("users.json");
        Files.writeString(
                users,
                Files.readString(RepositoryFiles.resolve("rabbitmq/users.json"))
                        .replace("\"liftline-producer\"", "\"" + producer + "\"")
                        .replace("\"liftline-ops\"", "\"" + ops + "\"")
                        .replace(
                                "\"liftline-consumer\"",
                                "\"" + backends.rabbit().vhost() + ".consumer\"")
                        .replace(
                                "\"vhost\": \"/\"",
                                "\"vhost\": \"" + backends.rabbit().vhost() + "\""));
        Path secrets = dir.resolve("secrets");
        try {
            Result loaded = ops(
                    "",
                    "users",
                    "load",
                    "--secrets-dir=" + secrets,
                    "--users-file=" + users,
                    "--amqp-uri=" + backends.rabbit().amqpUri());
            assertThat(loaded.exit()).as(loaded.out()).isZero();
            String producerUri =
                    Files.readString(secrets.resolve(producer + ".amqp-uri")).strip();
            assertThat(producerUri).startsWith("amqp://" + producer + ":").doesNotContain("guest");
            try (Connection connection = BrokerClients.connect(producerUri, "ops-it")) {
                connection.createChannel().exchangeDeclarePassive(Topology.EXCHANGE);
                Channel reader = connection.createChannel();
                assertThatThrownBy(() -> reader.basicGet(Topology.QUEUE, false))
                        .hasStackTraceContaining("ACCESS_REFUSED");
            }
            assertThat(Files.readString(secrets.resolve(ops + ".management-uri")))
                    .startsWith("http://" + ops + ":");

            // Again: the passwords kept, so the URIs the apps already read still work.
            String password = Files.readString(secrets.resolve(producer + ".password"));
            assertThat(ops(
                                    "",
                                    "users",
                                    "load",
                                    "--secrets-dir=" + secrets,
                                    "--users-file=" + users,
                                    "--amqp-uri=" + backends.rabbit().amqpUri())
                            .exit())
                    .isZero();
            assertThat(Files.readString(secrets.resolve(producer + ".password")))
                    .isEqualTo(password);
            BrokerClients.connect(producerUri, "ops-it-again").close();
        } finally {
            for (String user : List.of(producer, ops, backends.rabbit().vhost() + ".consumer")) {
                backends.rabbit().management().deleteUser(user);
            }
        }
    }

    @Test
    void topologyLoadMakesOneRideQueuePerShardBoundWithItsKey() throws Exception {
        TestBroker.Endpoint broker = TestBroker.endpoint();
        String management = "http://" + broker.username() + ":" + broker.password() + "@"
                + broker.managementUri().getHost() + ":"
                + broker.managementUri().getPort() + "/"
                + java.net.URLEncoder.encode(backends.rabbit().vhost(), StandardCharsets.UTF_8);

        try {
            Result loaded = ops(
                    "",
                    "topology",
                    "load",
                    "--shards=2",
                    "--management-uri=" + management,
                    "--definitions-file=" + RepositoryFiles.resolve("rabbitmq/definitions.json"));

            assertThat(loaded.exit()).as(loaded.out()).isZero();
            for (int shard = 0; shard < 2; shard++) {
                JsonNode queue =
                        backends.rabbit().management().queue(backends.rabbit().vhost(), "lift-rides." + shard);
                assertThat(queue.path("arguments").path("x-queue-type").asText())
                        .isEqualTo("quorum");
            }
            JsonNode bindings = backends.rabbit()
                    .management()
                    .get("/api/bindings/"
                            + java.net.URLEncoder.encode(backends.rabbit().vhost(), StandardCharsets.UTF_8)
                            + "/e/lift-rides/q/lift-rides.1");
            assertThat(bindings.findValuesAsText("routing_key")).containsExactly("ride.1");
            try (Channel channel = backends.rabbit().connection().createChannel()) {
                channel.queueDeclarePassive(Topology.DEAD_LETTER_QUEUE);
            }
        } finally { // the other tests of this class expect the one ride queue
            for (int shard = 0; shard < 2; shard++) {
                backends.rabbit().management().deleteQueue(backends.rabbit().vhost(), "lift-rides." + shard);
            }
        }
    }

    @Test
    void aMalformedConnectionUriIsRefusedAsTheServicesRefuseIt() {
        Result broker = ops("", "dead-letters", "list", "--amqp-uri=http://guest:secret@127.0.0.1:5672/");
        assertThat(broker.exit()).isEqualTo(2);
        assertThat(broker.out())
                .contains("LIFTLINE_AMQP_URI (--amqp-uri) must start with amqp:// or amqps://")
                .doesNotContain(":secret@");
        Result store = ops("", "summaries", "verify", "--mongodb-uri=127.0.0.1:27017");
        assertThat(store.exit()).isEqualTo(2);
        assertThat(store.out()).contains("LIFTLINE_MONGODB_URI (--mongodb-uri) must start with mongodb://");
    }

    @Test
    void usersNeedASecretsDirectory() {
        Result result = ops("", "users", "load");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.out()).contains("name the secrets directory: LIFTLINE_SECRETS_DIR or --secrets-dir");
    }

    @Test
    void replayMovesEachMatchingDeadLetterExactlyOnceEvenWithTwoReplaysAndAConsumerRunning() throws Exception {
        Instant old = Instant.now().minus(Duration.ofHours(2));
        for (int i = 0; i < 20; i++) {
            deadLetter("fix-" + i, "invalid-ride", old);
        }
        for (int i = 0; i < 10; i++) {
            deadLetter("keep-" + i, "malformed-json", old);
        }
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "30 dead letters",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 30);
        List<String> consumed = Collections.synchronizedList(new ArrayList<>());
        Channel consumer = backends.rabbit().newConnection().createChannel();
        consumer.basicConsume(Topology.QUEUE, false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                    throws java.io.IOException {
                consumed.add(props.getMessageId());
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });

        Result dry = ops("", "dead-letters", "replay", "--reason=invalid-ride", "--dry-run");
        assertThat(dry.out()).contains("would replay 20 dead letters");
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                .as("a dry run moves nothing")
                .isEqualTo(30);

        CompletableFuture<Result> first =
                CompletableFuture.supplyAsync(() -> ops("", "dead-letters", "replay", "--reason=invalid-ride"));
        CompletableFuture<Result> second =
                CompletableFuture.supplyAsync(() -> ops("", "dead-letters", "replay", "--reason=invalid-ride"));
        assertThat(first.get().exit()).isZero();
        assertThat(second.get().exit()).isZero();

        Poll.waitAtMost(Duration.ofSeconds(10), "20 replayed rides consumed", () -> consumed.size() >= 20);
        Thread.sleep(300);
        assertThat(consumed).hasSize(20).doesNotHaveDuplicates().allMatch(id -> id.startsWith("fix-"));
        consumer.getConnection().close();
        Result left = ops("", "dead-letters", "list", "--json");
        assertThat(left.json()).hasSize(10);
        List<String> leftIds = new ArrayList<>();
        for (JsonNode letter : left.json()) {
            assertThat(letter.path("reason").asText()).isEqualTo("malformed-json");
            assertThat(letter.path("detail").asText())
                    .isEqualTo("because " + letter.path("eventId").asText());
            leftIds.add(letter.path("eventId").asText());
        }
        assertThat(leftIds)
                .containsExactlyInAnyOrder(
                        "keep-0", "keep-1", "keep-2", "keep-3", "keep-4", "keep-5", "keep-6", "keep-7", "keep-8",
                        "keep-9");
    }

    @Test
    void replayByAgeLeavesYoungerDeadLettersAlone() throws Exception {
        deadLetter("old", "invalid-ride", Instant.now().minus(Duration.ofHours(1)));
        deadLetter("new", "invalid-ride", Instant.now());
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "2 dead letters",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 2);
        Result result = ops("", "dead-letters", "replay", "--older-than=10m");
        assertThat(result.out()).contains("replayed 1 dead letters");
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            var replayed = channel.basicGet(Topology.QUEUE, true);
            assertThat(replayed.getProps().getMessageId()).isEqualTo("old");
            assertThat(replayed.getProps().getHeaders()).containsKey("x-liftline-replayed-at");
            assertThat(new String(replayed.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"old\"}");
        }
        assertThat(ops("", "dead-letters", "peek", "--json")
                        .json()
                        .get(0)
                        .path("body")
                        .asText())
                .isEqualTo("{\"id\":\"new\"}");
    }

    @Test
    void replayLeavesEveryDeadLetterInPlaceWhenLiftRidesRoutesItsCopyNowhere() throws Exception {
        for (int i = 0; i < 3; i++) {
            deadLetter("stuck-" + i, "invalid-ride", Instant.now());
        }
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "3 dead letters",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 3);
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            channel.queueUnbind(Topology.QUEUE, Topology.EXCHANGE, Topology.ROUTING_KEY); // an operator's mistake
        }
        try {
            Result result = ops("", "dead-letters", "replay");
            assertThat(result.exit()).as(result.out()).isEqualTo(1);
            assertThat(result.out())
                    .contains("replayed 0 dead letters", "3 not replayed", "routed their copies to no queue");
            assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                    .as("nothing deleted")
                    .isEqualTo(3);
        } finally {
            try (Channel channel = backends.rabbit().connection().createChannel()) {
                channel.queueBind(Topology.QUEUE, Topology.EXCHANGE, Topology.ROUTING_KEY);
            }
        }
        assertThat(ops("", "dead-letters", "replay").out()).contains("replayed 3 dead letters");
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE)).isZero();
        assertThat(backends.rabbit().readyMessages(Topology.QUEUE)).isEqualTo(3);
    }

    @Test
    void replayMovesMoreDeadLettersThanItsWindowHoldsAndKeepsEveryOtherOne() throws Exception {
        int count = DeadLetterTool.REPLAY_WINDOW * 2 + 17;
        for (int i = 0; i < count; i++) {
            deadLetter("many-" + i, i % 2 == 0 ? "invalid-ride" : "malformed-json", Instant.now());
        }
        Poll.waitAtMost(
                Duration.ofSeconds(20),
                count + " dead letters",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == count);
        int matching = (count + 1) / 2;
        assertThat(ops("", "dead-letters", "replay", "--reason=invalid-ride").out())
                .contains("replayed " + matching + " dead letters");
        assertThat(backends.rabbit().readyMessages(Topology.QUEUE)).isEqualTo(matching);
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                .as("the others kept")
                .isEqualTo(count - matching);
        JsonNode kept =
                ops("", "dead-letters", "list", "--limit=1000", "--json").json();
        assertThat(kept)
                .hasSize(count - matching)
                .allSatisfy(l -> assertThat(l.path("reason").asText()).isEqualTo("malformed-json"));
        assertThat(ops("", "dead-letters", "replay").out())
                .contains("replayed " + (count - matching) + " dead letters");
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE)).isZero();
    }

    @Test
    void purgeAsksFirst() throws Exception {
        deadLetter("x", "invalid-ride", Instant.now());
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "1 dead letter",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 1);
        Result refused = ops("no\n", "dead-letters", "purge");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).contains("type 'purge'", "not purged");
        Result inherited = ops(Map.of("LIFTLINE_YES", "true"), "", "dead-letters", "purge");
        assertThat(inherited.out())
                .as("an inherited variable does not answer for the operator")
                .contains("not purged");
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE)).isEqualTo(1);
        assertThat(ops("purge\n", "dead-letters", "purge").out()).contains("purged 1 dead letters");
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE)).isZero();
        deadLetter("y", "invalid-ride", Instant.now());
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "1 dead letter",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 1);
        assertThat(ops("", "dead-letters", "purge", "--yes").out()).contains("purged 1 dead letters");
    }

    @Test
    void withShardsReplaySendsEachLetterBackToItsShardAndStatusListsEveryShard() throws Exception {
        Shards three = new Shards(3);
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Topology.declare(channel, three);
        }
        deadLetter("from-two", "invalid-ride", Instant.now(), three.queue(2));
        deadLetter("from-zero", "invalid-ride", Instant.now(), three.queue(0));
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "2 dead letters",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 2);
        try {
            assertThat(ops("", "dead-letters", "replay").out()).contains("replayed 2 dead letters");
            assertThat(backends.rabbit().readyMessages(three.queue(2))).isEqualTo(1);
            assertThat(backends.rabbit().readyMessages(three.queue(0))).isEqualTo(1);
            assertThat(backends.rabbit().readyMessages(three.queue(1))).isZero();
            Poll.waitAtMost(
                    Duration.ofSeconds(15),
                    "status lists the shards",
                    () -> ops("", "status").out(),
                    out -> out.contains("lift-rides.0")
                            && out.contains("lift-rides.1")
                            && out.contains("lift-rides.2"));
        } finally {
            for (String queue : three.queues()) {
                backends.rabbit().management().deleteQueue(backends.rabbit().vhost(), queue);
            }
        }
    }

    @Test
    void theOpsUserListsReplaysAndPurgesDeadLettersButCannotTakeRides() throws Exception {
        Map<String, String> asOps =
                Map.of("LIFTLINE_AMQP_URI", backends.rabbit().amqpUriAs("liftline-ops"));
        deadLetter("a", "invalid-ride", Instant.now());
        deadLetter("b", "malformed-json", Instant.now());
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "2 dead letters",
                () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 2);
        assertThat(ops(asOps, "", "dead-letters", "list").out()).contains("invalid-ride", "malformed-json");
        assertThat(ops(asOps, "", "dead-letters", "replay", "--reason=invalid-ride")
                        .out())
                .contains("replayed 1 dead letters");
        assertThat(backends.rabbit().readyMessages(Topology.QUEUE)).isEqualTo(1);
        assertThat(ops(asOps, "", "dead-letters", "purge", "--yes").out()).contains("purged 1 dead letters");
        try (Connection ops = BrokerClients.connect(backends.rabbit().amqpUriAs("liftline-ops"), "liftline-ops-test")) {
            assertThatThrownBy(() -> ops.createChannel().basicGet(Topology.QUEUE, false))
                    .hasStackTraceContaining("ACCESS_REFUSED");
        }
    }

    @Test
    void statusShowsDepthConsumersAndUnackedOfAKnownState() throws Exception {
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < 7; i++) {
                channel.basicPublish(
                        Topology.EXCHANGE, Topology.ROUTING_KEY, null, "{}".getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }
        deadLetter("d1", "invalid-ride", Instant.now());
        deadLetter("d2", "invalid-ride", Instant.now());
        Channel holder = backends.rabbit().newConnection().createChannel();
        holder.basicQos(3);
        holder.basicConsume(Topology.QUEUE, false, new DefaultConsumer(holder)); // takes 3, never acks

        JsonNode status = Poll.waitAtMost(
                Duration.ofSeconds(30),
                "the management API to show the state",
                () -> ops("", "status", "--json").json(),
                s -> s.get(0).path("ready").asLong() == 4
                        && s.get(0).path("unacked").asLong() == 3
                        && s.get(0).path("consumers").asLong() == 1
                        && s.get(1).path("ready").asLong() == 2);
        assertThat(status.get(0).path("queue").asText()).isEqualTo("lift-rides");
        assertThat(status.get(0).path("consumers").asLong()).isEqualTo(1);
        assertThat(status.get(1).path("queue").asText()).isEqualTo("lift-rides.dead");
        String table = ops("", "status").out();
        assertThat(table)
                .contains("queue", "ready", "unacked", "consumers", "publish/s")
                .containsPattern("lift-rides\\s+4\\s+3\\s+1\\s");
        holder.getConnection().close();
    }

    @Test
    void eachAnalystQueryAnswersFromAKnownFixture() throws Exception {
        MongoCollection<Document> rides = backends.mongo().database().getCollection("rides");
        rides.drop();
        // skier 7: two rides at resort 1 on day 5 (lifts 10 and 20), one at resort 2 in 2024
        rides.insertMany(List.of(
                ride("a", 1, "2025", 5, 7, 30, 10),
                ride("b", 1, "2025", 5, 7, 90, 20),
                ride("c", 2, "2024", 9, 7, 10, 3),
                ride("d", 1, "2025", 5, 8, 45, 10),
                ride("e", 1, "2025", 5, 9, 61, 40),
                ride("f", 1, "2025", 6, 9, 5, 40)));
        // counted into the read model, as a worker does after storing them
        new SummaryWriter(new Summaries(backends.mongo().database()))
                .apply(rides.find().map(RideStore::fromDocument).into(new ArrayList<>()));

        JsonNode day = ops("", "query", "skier-day", "--skier=7", "--season=2025", "--day=5", "--json")
                .json();
        assertThat(day.get(0).path("vertical").asLong()).isEqualTo(300);
        assertThat(day.get(0).path("rides").asLong()).isEqualTo(2);

        JsonNode seasons =
                ops("", "query", "skier-seasons", "--skier=7", "--json").json();
        assertThat(seasons).hasSize(2);
        assertThat(seasons.get(0).path("resortID").asInt()).isEqualTo(1);
        assertThat(seasons.get(0).path("vertical").asLong()).isEqualTo(300);
        assertThat(seasons.get(1).path("seasonID").asText()).isEqualTo("2024");
        assertThat(seasons.get(1).path("vertical").asLong()).isEqualTo(30);

        JsonNode unique = ops("", "query", "unique-skiers", "--resort=1", "--season=2025", "--day=5", "--json")
                .json();
        assertThat(unique.get(0).path("uniqueSkiers").asLong()).isEqualTo(3);

        JsonNode hours = ops("", "query", "lift-hours", "--resort=1", "--season=2025", "--day=5", "--json")
                .json();
        assertThat(hours.toString())
                .isEqualTo(RideJson.MAPPER
                        .readTree("["
                                + "{\"liftID\":10,\"hour\":0,\"rides\":2},{\"liftID\":20,\"hour\":1,\"rides\":1},"
                                + "{\"liftID\":40,\"hour\":1,\"rides\":1}]")
                        .toString());

        JsonNode top = ops("", "query", "top-skiers", "--resort=1", "--season=2025", "--limit=2", "--json")
                .json();
        assertThat(top).hasSize(2);
        assertThat(top.get(0).path("skierID").asInt()).isEqualTo(9);
        assertThat(top.get(0).path("vertical").asLong()).isEqualTo(800);
        assertThat(top.get(1).path("skierID").asInt()).isEqualTo(7);

        String table = ops("", "query", "skier-day", "--skier=7", "--season=2025", "--day=5")
                .out();
        assertThat(table).contains("skierID", "vertical").containsPattern("7\\s+2025\\s+5\\s+2\\s+300");
        Result missing = ops("", "query", "unique-skiers", "--resort=1");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).contains("--season is required");
    }

    @Test
    void summariesVerifyNamesATamperedSummaryAndRebuildRepairsIt() throws Exception {
        MongoCollection<Document> rides = backends.mongo().database().getCollection("rides");
        rides.drop();
        backends.mongo().database().listCollectionNames().forEach(name -> {
            if (name.startsWith("summary_")) {
                backends.mongo().database().getCollection(name).drop();
            }
        });
        rides.insertMany(List.of(
                ride("v1", 4, "2025", 3, 70, 30, 10),
                ride("v2", 4, "2025", 3, 70, 90, 20),
                ride("v3", 4, "2025", 3, 71, 12, 5)));
        new SummaryWriter(new Summaries(backends.mongo().database()))
                .apply(rides.find().map(RideStore::fromDocument).into(new ArrayList<>()));
        Result exact = ops("", "summaries", "verify", "--resort=4");
        assertThat(exact.exit()).as(exact.out()).isZero();
        assertThat(exact.out()).contains("summaries exact");

        backends.mongo()
                .database()
                .getCollection("summary_skier_seasons")
                .updateOne(
                        new Document("_id", "4/2025/g1/s70"), new Document("$inc", new Document("days.3.vertical", 5)));
        Result tampered = ops("", "summaries", "verify", "--resort=4", "--season=2025");
        assertThat(tampered.exit()).isEqualTo(1);
        assertThat(tampered.out())
                .contains(
                        "skier-season",
                        "resort 4 season 2025 day 3 skier 70",
                        "2 rides, 300 vertical",
                        "2 rides, 305 vertical",
                        "1 summaries differ from the raw rides");

        Result rebuilt = ops("", "summaries", "rebuild", "--resort=4");
        assertThat(rebuilt.exit()).as(rebuilt.out()).isZero();
        assertThat(rebuilt.out()).contains("resort 4 season 2025: 3 rides counted into generation 2, now the one read");
        assertThat(ops("", "summaries", "verify", "--resort=4").exit()).isZero();
        assertThat(ops("", "query", "skier-day", "--skier=70", "--season=2025", "--day=3")
                        .out())
                .containsPattern("70\\s+2025\\s+3\\s+2\\s+300");
        assertThat(ops("", "summaries", "sideways").exit()).isEqualTo(2);
    }

    private static Document ride(String id, int resort, String season, int day, int skier, int time, int lift) {
        return new Document("_id", id)
                .append("resortId", resort)
                .append("seasonId", season)
                .append("dayId", day)
                .append("skierId", skier)
                .append("time", time)
                .append("liftId", lift)
                .append("vertical", lift * 10)
                .append("receivedAt", new Date());
    }
}
