package io.liftline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liftline.model.RideJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A small client of the RabbitMQ management HTTP API: vhosts, permissions, policies, queue state. */
public final class RabbitManagement {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // the management plugin drops h2c upgrades with a body
            .connectTimeout(Duration.ofSeconds(3)).build();

    public RabbitManagement(URI base, String username, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public URI base() {
        return base;
    }

    public void createVhost(String vhost) {
        send("PUT", "/api/vhosts/" + encode(vhost), "{}");
    }

    public void deleteVhost(String vhost) {
        send("DELETE", "/api/vhosts/" + encode(vhost), null);
    }

    public void grantAll(String vhost, String user) {
        send("PUT", "/api/permissions/" + encode(vhost) + "/" + encode(user),
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
    }

    /** Creates (or updates) a user with no tags: it can use AMQP, not the management API. */
    public void createUser(String user, String password) {
        ObjectNode body = RideJson.MAPPER.createObjectNode().put("password", password).put("tags", "");
        send("PUT", "/api/users/" + encode(user), body.toString());
    }

    public void deleteUser(String user) {
        send("DELETE", "/api/users/" + encode(user), null);
    }

    /** Grants a user configure, write and read permissions (regular expressions) on a vhost. */
    public void setPermissions(String vhost, String user, String configure, String write, String read) {
        ObjectNode body = RideJson.MAPPER.createObjectNode().put("configure", configure).put("write", write).put("read", read);
        send("PUT", "/api/permissions/" + encode(vhost) + "/" + encode(user), body.toString());
    }

    /** The connections open on a vhost, as the management API lists them. */
    public JsonNode connections(String vhost) {
        return get("/api/vhosts/" + encode(vhost) + "/connections");
    }

    /** Applies one policy object of a definitions file to the given vhost. */
    public void putPolicy(String vhost, JsonNode policy) {
        ObjectNode body = RideJson.MAPPER.createObjectNode();
        body.put("pattern", policy.get("pattern").asText());
        body.put("apply-to", policy.get("apply-to").asText());
        body.put("priority", policy.path("priority").asInt(0));
        body.set("definition", policy.get("definition"));
        send("PUT", "/api/policies/" + encode(vhost) + "/" + encode(policy.get("name").asText()), body.toString());
    }

    /** Loads a definitions document (exchanges, queues, bindings, policies) into one vhost. */
    public void importDefinitions(String vhost, String json) {
        send("POST", "/api/definitions/" + encode(vhost), json);
    }

    /** The management API's view of a queue (messages, consumers, arguments, effective policy, ...). */
    public JsonNode queue(String vhost, String queue) {
        return readJson(send("GET", "/api/queues/" + encode(vhost) + "/" + encode(queue), null));
    }

    /** Deletes a queue with its messages; the broker cancels its consumers. */
    public void deleteQueue(String vhost, String queue) {
        send("DELETE", "/api/queues/" + encode(vhost) + "/" + encode(queue), null);
    }

    public JsonNode get(String path) {
        return readJson(send("GET", path, null));
    }

    private static JsonNode readJson(String body) {
        try {
            return RideJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("management API answered something that is not JSON: " + body, e);
        }
    }

    private String send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", authorization)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new AssertionError("RabbitMQ management API " + method + " " + path + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("RabbitMQ management API at " + base + " does not answer (" + e
                    + "); the test harness needs it for per-class vhosts. scripts/test enables it, or set "
                    + "LIFTLINE_AMQP_MANAGEMENT_URI", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted calling the management API", e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
