package io.liftline.simulator.http;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the thread-per-scanner engine POSTs: one blocking call per request, from many threads. Three implementations,
 * measured side by side with the netty engine by {@code scripts/bench-simulator}; README says which won and by how much.
 */
public interface HttpTransport extends AutoCloseable {

    /** What the producer answered: the status, the body, and the Retry-After header (null when absent). */
    record Answer(int status, String body, String retryAfter) {}

    /** The clients by name, the default first; netty is not a transport but an engine of its own (NettyScanners). */
    List<String> NAMES = List.of("netty", "apache", "jetty", "jdk");

    /**
     * POSTs a JSON body.
     *
     * @throws IOException on a connection that fails or a request that times out
     */
    Answer post(String url, Map<String, String> headers, String json, Duration timeout)
            throws IOException, InterruptedException;

    @Override
    void close();

    /**
     * @param name        one of {@link #NAMES}
     * @param connections the most connections to one producer (the scanner threads)
     */
    static HttpTransport create(String name, int connections) {
        return switch (name) {
            case "apache" -> new ApacheTransport(connections);
            case "jetty" -> new JettyTransport(connections);
            case "jdk" -> new JdkTransport();
            case "netty" -> throw new IllegalArgumentException("netty drives its own scanners: see NettyScanners");
            default -> throw new IllegalArgumentException("httpClient must be one of " + NAMES + ", was " + name);
        };
    }
}
