package io.liftline.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The one client of RabbitMQ's management HTTP API that every Liftline process and test uses: queues, vhosts,
 * users, permissions, policies and definitions.
 *
 * <p>Built from a URI such as {@code http://user:pass@host:15672/vhost}: the credentials are percent-decoded
 * (so a password with {@code +}, {@code @} or {@code :} in it survives), missing ones mean {@code guest:guest},
 * a missing port means 15672, and the path names the vhost ({@code /} when it names none). Every failure is a
 * {@link ManagementException} that says which call failed and how; credentials never appear in it.
 */
public final class ManagementClient {

    /** RabbitMQ's default management port. */
    public static final int DEFAULT_PORT = 15672;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String vhost;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    private ManagementClient(URI base, String vhost, String username, String password, Duration timeout) {
        this.base = base;
        this.vhost = vhost;
        this.authorization = "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // the management plugin drops h2c upgrades with a body
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(3)) < 0 ? timeout : Duration.ofSeconds(3))
                .build();
    }

    /**
     * A client for the API the URI names, each call waiting at most {@code timeout}.
     *
     * @param uri {@code http[s]://[user:pass@]host[:port][/vhost]}; the vhost percent-encoded ({@code %2F} is
     *            {@code /})
     * @throws IllegalArgumentException when it is not an http or https URI with a host
     */
    public static ManagementClient of(URI uri, Duration timeout) {
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("a management API URI is http[s]://user:pass@host:port, not "
                    + uri.getScheme() + "://" + (uri.getHost() == null ? "" : uri.getHost()));
        }
        String username = "guest";
        String password = "guest";
        if (uri.getRawUserInfo() != null) {
            String raw = uri.getRawUserInfo();
            int colon = raw.indexOf(':');
            username = decode(colon < 0 ? raw : raw.substring(0, colon));
            password = colon < 0 ? "" : decode(raw.substring(colon + 1));
        }
        String path = uri.getRawPath();
        String vhost = path == null || path.length() <= 1 ? "/" : decode(path.substring(1));
        URI base = URI.create(
                uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort()));
        return new ManagementClient(base, vhost, username, password, timeout);
    }

    /** A client of the API at {@code base} ({@code http://host:port}) with these credentials, for vhost {@code /}. */
    public static ManagementClient of(URI base, String username, String password, Duration timeout) {
        return new ManagementClient(base, "/", username, password, timeout);
    }

    /** Where the API is, without credentials. */
    public URI base() {
        return base;
    }

    /** The vhost the URI named; {@code /} when it named none. */
    public String vhost() {
        return vhost;
    }

    /** Every queue of a vhost with the fields the management API lists for it (all of them when none is named). */
    public JsonNode queues(String vhost, String... columns) {
        String query = columns.length == 0 ? "" : "?columns=" + encode(String.join(",", columns));
        return get("/api/queues/" + encode(vhost) + query);
    }

    /** The management API's view of one queue (messages, consumers, arguments, effective policy, ...). */
    public JsonNode queue(String vhost, String queue) {
        return get("/api/queues/" + encode(vhost) + "/" + encode(queue));
    }

    /** Deletes a queue with its messages; the broker cancels its consumers. */
    public void deleteQueue(String vhost, String queue) {
        send("DELETE", "/api/queues/" + encode(vhost) + "/" + encode(queue), null);
    }

    /** The connections open on a vhost. */
    public JsonNode connections(String vhost) {
        return get("/api/vhosts/" + encode(vhost) + "/connections");
    }

    public void createVhost(String vhost) {
        send("PUT", "/api/vhosts/" + encode(vhost), "{}");
    }

    public void deleteVhost(String vhost) {
        send("DELETE", "/api/vhosts/" + encode(vhost), null);
    }

    /** Creates or updates a user with the given tags ({@code ""}: AMQP only, no management API). */
    public void putUser(String user, String password, String tags) {
        ObjectNode body = JSON.createObjectNode().put("password", password).put("tags", tags);
        send("PUT", "/api/users/" + encode(user), body.toString());
    }

    public void deleteUser(String user) {
        send("DELETE", "/api/users/" + encode(user), null);
    }

    /** Grants a user configure, write and read permissions (regular expressions) on a vhost. */
    public void setPermissions(String vhost, String user, String configure, String write, String read) {
        ObjectNode body = JSON.createObjectNode()
                .put("configure", configure)
                .put("write", write)
                .put("read", read);
        send("PUT", "/api/permissions/" + encode(vhost) + "/" + encode(user), body.toString());
    }

    /** Applies one policy object of a definitions file to a vhost. */
    public void putPolicy(String vhost, JsonNode policy) {
        ObjectNode body = JSON.createObjectNode();
        body.put("pattern", policy.get("pattern").asText());
        body.put("apply-to", policy.get("apply-to").asText());
        body.put("priority", policy.path("priority").asInt(0));
        body.set("definition", policy.get("definition"));
        send(
                "PUT",
                "/api/policies/" + encode(vhost) + "/"
                        + encode(policy.get("name").asText()),
                body.toString());
    }

    /** Loads a definitions document (exchanges, queues, bindings, policies) into one vhost. */
    public void importDefinitions(String vhost, String json) {
        send("POST", "/api/definitions/" + encode(vhost), json);
    }

    /** Any GET of the API, e.g. {@code /api/overview}, as JSON. */
    public JsonNode get(String path) {
        String body = send("GET", path, null);
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new ManagementException("GET " + path + " answered something that is not JSON", -1, e);
        }
    }

    private String send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Authorization", authorization)
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new ManagementException(
                        method + " " + path + " answered " + response.statusCode() + ": " + abbreviate(response.body()),
                        response.statusCode(),
                        null);
            }
            return response.body();
        } catch (IOException e) {
            throw new ManagementException(
                    "the management API at " + base + " does not answer (" + e + ")", -1, new UncheckedIOException(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagementException("interrupted calling " + method + " " + path, -1, e);
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    /** Percent-encodes one path segment: a vhost or a name, {@code /} included. */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Percent-decodes, leaving {@code +} a plus: URLDecoder alone would turn it into a space. */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
