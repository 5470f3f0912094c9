package io.liftline.service.edge;

import static io.liftline.runtime.Checks.positive;
import static io.liftline.runtime.Checks.required;

import io.liftline.runtime.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A service's public edge, the same on the ingest API and the read API (docs/configuration.md): where its ports
 * listen, TLS, how many connections and how much idleness it takes, its API keys and its rate limit, and the admin
 * port of health and metrics. {@link #from} reads them under the same names for both services.
 *
 * @param bindAddress      the interface the public ports bind to; null for all
 * @param httpPort         plain HTTP (0 picks a free port); -1 off, the default when TLS is on
 * @param httpsPort        HTTPS, with {@code tls}
 * @param tls              TLS for the public port, or null for plain HTTP only
 * @param maxConnections   open connections on the public ports; beyond it Jetty stops accepting and idle ones go first
 * @param idleTimeout      a connection silent this long is closed
 * @param apiKeysFile      the API keys file, or null: no keys asked, anyone who reaches the port is served
 * @param rateLimit        units (rides, requests) per second per client; 0 for no limit
 * @param rateLimitBurst   the units a client may spend at once before the rate applies
 * @param adminBindAddress the interface the admin port binds to; null for all
 * @param adminPort        {@code /health/*} and {@code /metrics}, never on a public port; -1 off, 0 picks a free port
 * @param shutdownTimeout  how long requests in flight may take to finish at shutdown
 */
public record EdgeSettings(String bindAddress, int httpPort, int httpsPort, Tls tls, int maxConnections,
                           Duration idleTimeout, Path apiKeysFile, double rateLimit, int rateLimitBurst,
                           String adminBindAddress, int adminPort, Duration shutdownTimeout) {

    public static final String BIND_ADDRESS = "LIFTLINE_BIND_ADDRESS";
    public static final String HTTP_PORT = "LIFTLINE_HTTP_PORT";
    public static final String HTTPS_PORT = "LIFTLINE_HTTPS_PORT";
    /** A PKCS12 keystore with the server's key and certificate chain; set, the service serves HTTPS. */
    public static final String TLS_KEYSTORE = "LIFTLINE_TLS_KEYSTORE";
    public static final String TLS_KEYSTORE_PASSWORD = "LIFTLINE_TLS_KEYSTORE_PASSWORD";
    public static final String MAX_CONNECTIONS = "LIFTLINE_MAX_CONNECTIONS";
    public static final String IDLE_TIMEOUT = "LIFTLINE_IDLE_TIMEOUT";
    /** Unset: the service is open to anyone who reaches it. */
    public static final String API_KEYS_FILE = "LIFTLINE_API_KEYS_FILE";
    public static final String RATE_LIMIT = "LIFTLINE_RATE_LIMIT";
    public static final String RATE_LIMIT_BURST = "LIFTLINE_RATE_LIMIT_BURST";
    public static final String ADMIN_BIND_ADDRESS = "LIFTLINE_ADMIN_BIND_ADDRESS";
    public static final String ADMIN_PORT = "LIFTLINE_ADMIN_PORT";
    public static final String SHUTDOWN_TIMEOUT = "LIFTLINE_SHUTDOWN_TIMEOUT";

    /** The settings {@link #from} reads. */
    public static final List<String> VARIABLES = List.of(BIND_ADDRESS, HTTP_PORT, HTTPS_PORT, TLS_KEYSTORE, TLS_KEYSTORE_PASSWORD,
            MAX_CONNECTIONS, IDLE_TIMEOUT, API_KEYS_FILE, RATE_LIMIT, RATE_LIMIT_BURST, ADMIN_BIND_ADDRESS, ADMIN_PORT,
            SHUTDOWN_TIMEOUT);

    public static final int DEFAULT_MAX_CONNECTIONS = 2_000;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Jetty's default; a scanner's or an analyst's headers are a few hundred bytes. */
    public static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;
    /** Off: no rate limit. */
    public static final double DEFAULT_RATE_LIMIT = 0;
    /** A client may spend this many seconds' worth at once (a scanner catching up after an outage). */
    public static final int DEFAULT_BURST_SECONDS = 10;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    /** What differs between the services: their default ports. */
    public record Ports(int http, int https, int admin) {
    }

    public EdgeSettings {
        port(httpPort, "httpPort");
        port(httpsPort, "httpsPort");
        port(adminPort, "adminPort");
        if (httpPort == -1 && tls == null) {
            throw new IllegalArgumentException("httpPort is off (-1) and no TLS keystore is set: the service would serve nothing");
        }
        positive(maxConnections, "maxConnections");
        positive(idleTimeout, "idleTimeout");
        if (rateLimit < 0 || Double.isNaN(rateLimit) || Double.isInfinite(rateLimit)) {
            throw new IllegalArgumentException("rateLimit must be >= 0 per second (0 = none), was " + rateLimit);
        }
        positive(rateLimitBurst, "rateLimitBurst");
        positive(shutdownTimeout, "shutdownTimeout");
    }

    private static void port(int port, String name) {
        if (port < -1 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be 0..65535 (0 picks a free port) or -1 (off), was " + port);
        }
    }

    /** Plain HTTP, open, unlimited but for the connection defaults: for tests and tools on loopback. */
    public static EdgeSettings plain(String bindAddress, int httpPort, String adminBindAddress, int adminPort) {
        return new EdgeSettings(bindAddress, httpPort, -1, null, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, null,
                DEFAULT_RATE_LIMIT, 1, adminBindAddress, adminPort, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /** Reads the edge's settings; a value at fault fails with a message naming it. */
    public static EdgeSettings from(ConfigSource source, Ports defaults) {
        String keystore = source.get(TLS_KEYSTORE, null);
        Tls tls = keystore == null ? null : new Tls(Path.of(keystore), required(source.get(TLS_KEYSTORE_PASSWORD, null),
                TLS_KEYSTORE_PASSWORD + " (or " + TLS_KEYSTORE_PASSWORD + "_FILE), with " + TLS_KEYSTORE + ","));
        String httpPort = source.get(HTTP_PORT, null);
        String burst = source.get(RATE_LIMIT_BURST, null);
        double rate = source.getDouble(RATE_LIMIT, DEFAULT_RATE_LIMIT);
        String keys = source.get(API_KEYS_FILE, null);
        return new EdgeSettings(source.get(BIND_ADDRESS, null),
                httpPort == null ? defaultHttpPort(tls, defaults) : source.getInt(HTTP_PORT, defaults.http()),
                source.getInt(HTTPS_PORT, defaults.https()), tls,
                source.getInt(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS),
                source.getDuration(IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT),
                keys == null ? null : Path.of(keys), rate,
                burst == null ? defaultBurst(rate) : source.getInt(RATE_LIMIT_BURST, 0),
                source.get(ADMIN_BIND_ADDRESS, null), source.getInt(ADMIN_PORT, defaults.admin()),
                source.getDuration(SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT));
    }

    /** With TLS the plain port is off unless asked for: a client must not fall back to cleartext by accident. */
    public static int defaultHttpPort(Tls tls, Ports defaults) {
        return tls == null ? defaults.http() : -1;
    }

    /** {@link #DEFAULT_BURST_SECONDS} worth of the rate, at least 1. */
    public static int defaultBurst(double rate) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(rate * DEFAULT_BURST_SECONDS)));
    }

    /** For the start-up line: every setting, no secret. */
    public String describe() {
        return "httpPort=" + (httpPort == -1 ? "off" : httpPort) + ", tls=" + (tls == null ? "off" : tls + ", httpsPort=" + httpsPort)
                + ", bindAddress=" + (bindAddress == null ? "all" : bindAddress)
                + ", adminPort=" + (adminPort == -1 ? "off" : adminPort)
                + ", adminBindAddress=" + (adminBindAddress == null ? "all" : adminBindAddress)
                + ", rateLimit=" + (rateLimit == 0 ? "none" : rateLimit + "/s burst " + rateLimitBurst)
                + ", maxConnections=" + maxConnections + ", idleTimeout=" + idleTimeout.toMillis() + "ms"
                + ", apiKeysFile=" + (apiKeysFile == null ? "none (open)" : apiKeysFile);
    }
}
