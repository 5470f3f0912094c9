package io.liftline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/** The operator's view of the pipeline's queues, from the RabbitMQ management API. */
final class QueueStatus {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final URI base;
    private final String authorization;
    private final String vhost;

    /** @param managementUri e.g. {@code http://guest:guest@127.0.0.1:15672} */
    QueueStatus(URI managementUri, String vhost) {
        String userInfo = managementUri.getUserInfo() == null ? "guest:guest" : managementUri.getUserInfo();
        this.base = URI.create(managementUri.getScheme() + "://" + managementUri.getHost() + ":"
                + (managementUri.getPort() < 0 ? 15672 : managementUri.getPort()));
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.vhost = vhost;
    }

    Table snapshot() throws IOException, InterruptedException {
        Table table = new Table("queue", "ready", "unacked", "consumers", "publish/s", "deliver/s", "ack/s");
        // The ride queue, or each of its shards, then the dead letters.
        List<JsonNode> queues = new ArrayList<>();
        JsonNode dead = null;
        for (JsonNode q : get("/api/queues/" + encode(vhost))) {
            String name = q.path("name").asText();
            if (Shards.isRideQueue(name)) {
                queues.add(q);
            } else if (name.equals(Topology.DEAD_LETTER_QUEUE)) {
                dead = q;
            }
        }
        queues.sort(Comparator.comparingInt(q -> shardNumber(q.path("name").asText())));
        if (dead != null) {
            queues.add(dead);
        }
        for (JsonNode q : queues) {
            String name = q.path("name").asText();
            JsonNode stats = q.path("message_stats");
            table.add(name, q.path("messages_ready").asLong(), q.path("messages_unacknowledged").asLong(),
                    q.path("consumers").asLong(), rate(stats, "publish_details"), rate(stats, "deliver_get_details"),
                    rate(stats, "ack_details"));
        }
        return table;
    }

    private static int shardNumber(String queue) {
        return queue.equals(Topology.QUEUE) ? -1 : Integer.parseInt(queue.substring(Topology.QUEUE.length() + 1));
    }

    private static double rate(JsonNode stats, String field) {
        return Math.round(stats.path(field).path("rate").asDouble(0) * 10) / 10.0;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("management API " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return RideJson.MAPPER.readTree(response.body());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
