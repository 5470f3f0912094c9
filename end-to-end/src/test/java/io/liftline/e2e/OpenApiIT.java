package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.liftline.model.LiftRide;
import io.liftline.producer.ProducerApp;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.query.QueryApp;
import io.liftline.query.config.QueryConfig;
import io.liftline.runtime.Values;
import io.liftline.service.edge.Bodies;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.store.RideStore;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryWriter;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import io.liftline.testing.RepositoryFiles;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/openapi.yaml is the servers' contract, so it is checked against them: the reference parser accepts it as
 * OpenAPI 3.1; every example validates against its schema; and every response example is replayed against a live
 * producer and query API (over the real broker and store), in the set-up it names (open, API keys with a rate
 * limit, broker down, store down), and must come back with its status, its headers and its body. An example that
 * cannot be replayed says why, and only those few are allowed to.
 */
class OpenApiIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String API_KEY = "example-key-0123456789";
    /** A scanner's key: the ingest scope only, which the read API refuses. */
    private static final String INGEST_ONLY_KEY = "example-scanner-key-0123456789";

    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "head", "patch");
    /** The examples not replayed, each with x-liftline-why; a new one must be added here deliberately. */
    private static final Set<String> NOT_REPLAYED = Set.of("batch-too-large", "slow-body", "ride-too-large");
    /** What the code answers for each example not replayed: their messages cannot drift from it unseen. */
    private static final Map<String, String> NOT_REPLAYED_MESSAGES = Map.of(
            "batch-too-large", Bodies.tooLargeMessage(ProducerConfig.DEFAULT_MAX_BODY_BYTES),
            "slow-body", Bodies.deadlineMessage(),
            "ride-too-large", Bodies.tooLargeMessage(ProducerConfig.DEFAULT_MAX_RIDE_BODY_BYTES));

    @TempDir
    static Path dir;

    private static JsonNode doc;
    private static final Map<String, AutoCloseable> running = new LinkedHashMap<>();
    private static final Map<String, Integer> ports = new LinkedHashMap<>();

    @BeforeAll
    static void startTheServersInEachSetUp() throws Exception {
        doc = new YAMLMapper()
                .readTree(RepositoryFiles.resolve("docs/openapi.yaml").toFile());
        // The rides the read examples describe: resort 3, season 2025 day 17 (skiers 4242 and 77), and 2024.
        List<LiftRide> described = List.of(
                new LiftRide("oa-1", 3, "2025", 17, 4242, 217, 21, Instant.now()),
                new LiftRide("oa-2", 3, "2025", 17, 4242, 30, 5, Instant.now()),
                new LiftRide("oa-3", 3, "2025", 17, 77, 90, 21, Instant.now()),
                new LiftRide("oa-4", 3, "2024", 40, 4242, 100, 10, Instant.now()));
        new RideStore(backends.mongo().client(), backends.mongo().databaseName())
                .insert(described); // as a worker stores and counts them
        new SummaryWriter(new Summaries(backends.mongo().database())).apply(described);

        Path keys = dir.resolve("api-keys");
        String hash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(API_KEY.getBytes(StandardCharsets.UTF_8)));
        String scannerHash = HexFormat.of()
                .formatHex(
                        MessageDigest.getInstance("SHA-256").digest(INGEST_ONLY_KEY.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(keys, hash + " gate7 3 ingest,read\n" + scannerHash + " scanner7 * ingest\n");
        int closed = closedPort();

        producer(
                "default",
                Values.defaults().set(ProducerConfig.AMQP_URI, backends.rabbit().amqpUri()));
        producer(
                "api-keys",
                Values.defaults()
                        .set(ProducerConfig.AMQP_URI, backends.rabbit().amqpUri())
                        .set(EdgeSettings.API_KEYS_FILE, keys)
                        .set(EdgeSettings.RATE_LIMIT, 1.0)
                        .set(EdgeSettings.RATE_LIMIT_BURST, 1));
        producer("broker-down", Values.defaults().set(ProducerConfig.AMQP_URI, "amqp://127.0.0.1:" + closed));
        query("default", backends.mongo().uri(), Values.defaults());
        query(
                "api-keys",
                backends.mongo().uri(),
                Values.defaults()
                        .set(EdgeSettings.API_KEYS_FILE, keys)
                        .set(EdgeSettings.RATE_LIMIT, 1.0)
                        .set(EdgeSettings.RATE_LIMIT_BURST, 1)
                        .set(EdgeSettings.SHUTDOWN_TIMEOUT, Duration.ofSeconds(2)));
        query("store-down", "mongodb://127.0.0.1:" + closed, Values.defaults());
        for (String name : List.of("default", "api-keys")) {
            ProducerApp app = (ProducerApp) running.get("producer/" + name);
            assertThat(app.awaitBroker(Duration.ofSeconds(30))).isTrue();
        }
        Poll.waitAtMost(
                Duration.ofSeconds(30),
                "query API ready",
                () -> status(ports.get("query-admin/default"), "/health/ready") == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable app : running.values()) {
            app.close();
        }
    }

    @Test
    void theReferenceParserAcceptsItAsOpenApi31() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser()
                .readContents(Files.readString(RepositoryFiles.resolve("docs/openapi.yaml")), null, options);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1");
        assertThat(result.getOpenAPI().getPaths().keySet())
                .as("every route of the three servers")
                .containsExactlyInAnyOrder(
                        "/skiers/{resortID}/seasons/{seasonID}/days/{dayID}/skiers/{skierID}",
                        "/rides",
                        "/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/skiers",
                        "/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/lifts",
                        "/resorts/{resortID}/seasons/{seasonID}/top-skiers",
                        "/resorts/{resortID}/seasons/{seasonID}/day/{dayID}/top-skiers",
                        "/skiers/{skierID}/vertical",
                        "/health/live",
                        "/health/ready",
                        "/metrics");
    }

    @Test
    void everyExampleFitsItsSchemaAndEveryErrorHasOne() {
        List<String> problems = new ArrayList<>();
        forEachOperation((path, method, op) -> {
            JsonNode body = resolve(op.path("requestBody")).path("content").path("application/json");
            body.path("examples").properties().forEach(e -> {
                JsonNode example = resolve(e.getValue());
                if (!example.path("x-liftline-raw").asBoolean()
                        && !example.path("x-liftline-invalid").asBoolean()) {
                    problems.addAll(validate(
                            body.path("schema"),
                            resolve(e.getValue()).path("value"),
                            method + " " + path + " request " + e.getKey()));
                }
            });
            op.path("responses").properties().forEach(r -> {
                JsonNode response = resolve(r.getValue());
                JsonNode content = response.path("content");
                if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
                    if (content.path("application/json").path("examples").isEmpty()) {
                        problems.add(method + " " + path + " " + r.getKey() + " has no example");
                    }
                }
                JsonNode json = content.path("application/json");
                json.path("examples")
                        .properties()
                        .forEach(e -> problems.addAll(validate(
                                json.path("schema"),
                                resolve(e.getValue()).path("value"),
                                method + " " + path + " " + r.getKey() + " " + e.getKey())));
            });
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyResponseExampleIsWhatTheLiveServerAnswers() throws Exception {
        List<String> replayed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> skipped = new TreeSet<>();
        List<Object[]> operations = new ArrayList<>();
        forEachOperation((path, method, op) -> operations.add(new Object[] {path, method, op}));
        for (Object[] operation : operations) {
            String path = (String) operation[0];
            String method = (String) operation[1];
            JsonNode op = (JsonNode) operation[2];
            for (Iterator<Map.Entry<String, JsonNode>> responses =
                            op.path("responses").properties().iterator();
                    responses.hasNext(); ) {
                Map.Entry<String, JsonNode> r = responses.next();
                int status = Integer.parseInt(r.getKey());
                JsonNode response = resolve(r.getValue());
                Map<String, JsonNode> examples = new LinkedHashMap<>();
                response.path("content")
                        .properties()
                        .forEach(c -> c.getValue()
                                .path("examples")
                                .properties()
                                .forEach(e -> examples.put(e.getKey(), resolve(e.getValue()))));
                response.path("x-liftline-examples")
                        .forEach(name -> examples.put(name.asText(), JSON.createObjectNode()));
                for (Map.Entry<String, JsonNode> example : examples.entrySet()) {
                    String name = example.getKey();
                    JsonNode ex = example.getValue();
                    if (ex.has("x-liftline-replay")
                            && !ex.path("x-liftline-replay").asBoolean()) {
                        assertThat(ex.path("x-liftline-why").asText())
                                .as(name + " says why it is not replayed")
                                .isNotBlank();
                        assertThat(ex.path("value").path("message").asText())
                                .as(name + "'s message, which is not replayed, against the code's")
                                .isEqualTo(NOT_REPLAYED_MESSAGES.get(name));
                        skipped.add(name);
                        continue;
                    }
                    String where = method.toUpperCase() + " " + path + " -> " + status + " " + name;
                    String problem;
                    try {
                        problem = replay(path, method, op, status, response, name, ex);
                    } catch (IOException e) { // named, so that a failure says which example met it
                        problem = "no answer: " + e;
                    }
                    if (problem != null) {
                        problems.add(where + ": " + problem);
                    }
                    replayed.add(where);
                }
            }
        }
        assertThat(problems).as("examples the servers do not answer as written").isEmpty();
        assertThat(skipped).as("examples not replayed").isEqualTo(NOT_REPLAYED);
        assertThat(replayed).as("replayed examples").hasSizeGreaterThan(40);
    }

    /** Sends the request the example names and compares the answer with it; null when they agree. */
    private String replay(
            String path, String method, JsonNode op, int status, JsonNode response, String name, JsonNode ex)
            throws Exception {
        String setUp = ex.path("x-liftline-setup").asText("default");
        String app = op.path("x-liftline-app").asText();
        Integer port = ports.get(app + "/" + setUp);
        if (port == null) {
            return "no " + app + " in set-up " + setUp;
        }
        List<JsonNode> parameters = new ArrayList<>();
        doc.path("paths").path(path).path("parameters").forEach(p -> parameters.add(resolve(p)));
        op.path("parameters").forEach(p -> parameters.add(resolve(p)));
        String target = path;
        StringBuilder query = new StringBuilder();
        HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30));
        for (JsonNode p : parameters) {
            JsonNode value = p.path("examples").has(name)
                    ? p.path("examples").path(name).path("value")
                    : p.path("in").asText().equals("path")
                            ? p.path("examples").path("default").path("value")
                            : null;
            if (value == null || value.isMissingNode()) {
                continue;
            }
            switch (p.path("in").asText()) {
                case "path" -> target = target.replace("{" + p.path("name").asText() + "}", value.asText());
                case "query" ->
                    query.append(query.isEmpty() ? "?" : "&")
                            .append(p.path("name").asText())
                            .append('=')
                            .append(URLEncoder.encode(value.asText(), StandardCharsets.UTF_8));
                case "header" -> request.header(p.path("name").asText(), value.asText());
                default -> throw new AssertionError("parameter in " + p.path("in"));
            }
        }
        if (ex.has("x-liftline-path")) {
            target = ex.path("x-liftline-path").asText();
        }
        switch (ex.path("x-liftline-authorization").asText("none")) {
            case "valid" -> request.header("Authorization", "Bearer " + API_KEY);
            case "unknown" -> request.header("Authorization", "Bearer not-a-key");
            case "ingest-only" -> request.header("Authorization", "Bearer " + INGEST_ONLY_KEY);
            default -> {}
        }
        JsonNode bodies = resolve(op.path("requestBody"))
                .path("content")
                .path("application/json")
                .path("examples");
        String body = null;
        if (bodies.size() > 0) {
            JsonNode chosen = resolve(
                    bodies.has(name) ? bodies.path(name) : bodies.elements().next());
            body = chosen.path("x-liftline-raw").asBoolean()
                    ? chosen.path("value").asText()
                    : JSON.writeValueAsString(chosen.path("value"));
        }
        String httpMethod = ex.path("x-liftline-method").asText(method.toUpperCase());
        request.uri(URI.create("http://127.0.0.1:" + port + target + query));
        request.method(
                httpMethod,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", ex.path("x-liftline-content-type").asText("application/json"));
        }
        if (setUp.equals("api-keys")) {
            Thread.sleep(1_100); // a fresh token of the 1 ride/s limit for every example of this set-up
        }
        HttpResponse<String> answer = null;
        for (int i = 0; i < ex.path("x-liftline-repeat").asInt(1); i++) {
            answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        if (answer.statusCode() != status) {
            return "status " + answer.statusCode() + " " + answer.body();
        }
        for (Iterator<String> headers = response.path("headers").fieldNames(); headers.hasNext(); ) {
            String header = headers.next();
            JsonNode schema = resolve(response.path("headers").path(header)).path("schema");
            if (header.equals("ETag") || header.equals("Cache-Control") && !schema.has("const")) {
                continue; // present on past days only, checked by QueryApiIT
            }
            String value = answer.headers().firstValue(header).orElse(null);
            if (value == null) {
                return "no " + header + " header";
            }
            if (schema.has("const") && !schema.path("const").asText().equals(value)) {
                return header + ": " + value;
            }
        }
        if (!ex.has("value")) {
            return answer.body().isEmpty() ? null : "a body: " + answer.body();
        }
        JsonNode expected = ex.path("value");
        String compare = ex.path("x-liftline-compare").asText("equal");
        if (response.path("content").has("text/plain")) {
            return answer.body().contains(expected.asText()) ? null : "no '" + expected.asText() + "' in the body";
        }
        JsonNode actual = JSON.readTree(answer.body());
        JsonNode schema = response.path("content").path("application/json").path("schema");
        List<String> invalid = validate(schema, actual, "answer");
        if (!invalid.isEmpty()) {
            return invalid.toString();
        }
        return switch (compare) {
            case "schema" -> null;
            case "prefix" ->
                actual.path("message")
                                .asText()
                                .startsWith(expected.path("message").asText())
                        ? null
                        : "message " + actual.path("message");
            default -> actual.equals(JSON.readTree(JSON.writeValueAsString(expected))) ? null : "body " + actual;
        };
    }

    // --- the document

    @FunctionalInterface
    private interface OperationVisitor {
        void visit(String path, String method, JsonNode op) throws RuntimeException;
    }

    private static void forEachOperation(OperationVisitor visitor) {
        doc.path("paths")
                .properties()
                .forEach(p -> p.getValue().properties().forEach(m -> {
                    if (METHODS.contains(m.getKey())) {
                        visitor.visit(p.getKey(), m.getKey(), m.getValue());
                    }
                }));
    }

    /** The node a $ref names (one level: the document's references point at components). */
    private static JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            node = doc.at(node.path("$ref").asText().substring(1));
        }
        return node;
    }

    /** The schema with every $ref replaced by its target, so that it stands alone for the validator. */
    private static JsonNode inline(JsonNode schema) {
        JsonNode resolved = resolve(schema).deepCopy();
        if (resolved.isObject()) {
            ObjectNode object = (ObjectNode) resolved;
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String field : names) {
                object.set(field, inline(object.get(field)));
            }
        } else if (resolved.isArray()) {
            for (int i = 0; i < resolved.size(); i++) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) resolved).set(i, inline(resolved.get(i)));
            }
        }
        return resolved;
    }

    private static List<String> validate(JsonNode schema, JsonNode value, String what) {
        if (schema.isMissingNode()) {
            return List.of(what + ": no schema");
        }
        List<Error> errors = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(inline(schema).toString())
                .validate(value);
        return errors.stream().map(e -> what + ": " + e.getMessage()).toList();
    }

    // --- the servers

    private static void producer(String setUp, Values config) throws Exception {
        ProducerApp app = ProducerApp.start(ProducerConfig.of(config.set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)
                .set(EdgeSettings.BIND_ADDRESS, "127.0.0.1")
                .set(EdgeSettings.ADMIN_BIND_ADDRESS, "127.0.0.1")
                .set(ProducerConfig.PUBLISH_TIMEOUT, Duration.ofSeconds(2))));
        running.put("producer/" + setUp, app);
        ports.put("producer/" + setUp, app.port());
        ports.put("producer-admin/" + setUp, app.adminPort());
    }

    private static void query(String setUp, String mongodbUri, Values edge) throws Exception {
        QueryApp app = QueryApp.start(QueryConfig.of(edge.set(QueryConfig.MONGODB_URI, mongodbUri)
                .set(QueryConfig.MONGODB_DATABASE, backends.mongo().databaseName())
                .set(EdgeSettings.BIND_ADDRESS, "127.0.0.1")
                .set(QueryConfig.HTTP_PORT, 0)
                .set(EdgeSettings.ADMIN_BIND_ADDRESS, "127.0.0.1")
                .set(QueryConfig.ADMIN_PORT, 0)
                .set(QueryConfig.QUERY_TIMEOUT, Duration.ofSeconds(1))
                .set(QueryConfig.TIME_ZONE, ZoneOffset.UTC)));
        running.put("query/" + setUp, app);
        ports.put("query/" + setUp, app.port());
        ports.put("query-admin/" + setUp, app.adminPort());
    }

    private static int status(int port, String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
