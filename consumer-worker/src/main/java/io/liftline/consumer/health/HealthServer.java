package io.liftline.consumer.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.liftline.model.RideJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The consumer's small HTTP endpoint: {@code /metrics} (Prometheus), {@code /health/live}, {@code /health/ready}.
 * The JDK's built-in server is enough for a scrape every few seconds.
 */
public final class HealthServer implements AutoCloseable {

    private final HttpServer server;

    /**
     * @param host           the interface to bind, or null for all
     * @param notReadyReason null when ready, else why not
     */
    public HealthServer(String host, int port, ConsumerMetrics metrics, Supplier<String> notReadyReason) throws IOException {
        server = HttpServer.create(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "health-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", exchange -> {
            if (allowGet(exchange)) {
                send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            }
        });
        server.createContext("/health/live", exchange -> {
            if (allowGet(exchange)) {
                send(exchange, 200, "application/json", "{\"status\":\"UP\"}");
            }
        });
        server.createContext("/health/ready", exchange -> {
            if (allowGet(exchange)) {
                String reason = notReadyReason.get();
                if (reason == null) {
                    send(exchange, 200, "application/json", "{\"status\":\"UP\"}");
                } else {
                    send(exchange, 503, "application/json",
                            RideJson.MAPPER.writeValueAsString(Map.of("status", "DOWN", "reason", reason)));
                }
            }
        });
        server.createContext("/", exchange -> send(exchange, 404, "application/json",
                "{\"message\":\"no such resource: use /metrics, /health/live or /health/ready\"}"));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static boolean allowGet(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            send(exchange, 405, "application/json", "{\"message\":\"method not allowed: use GET\"}");
            return false;
        }
        return true;
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
