package io.liftline.service.edge;

import io.liftline.runtime.Checks;
import io.liftline.runtime.CommonSettings;
import io.liftline.runtime.Setting;
import io.liftline.runtime.Settings;
import io.liftline.runtime.Values;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A service's public edge, the same on the ingest API and the read API (docs/configuration.md): where its ports
 * listen, TLS, how many connections and how much idleness it takes, its API keys and its rate limit, and the admin
 * port of health and metrics. {@link #of} reads them under the same names for both services.
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
public record EdgeSettings(
        String bindAddress,
        int httpPort,
        int httpsPort,
        Tls tls,
        int maxConnections,
        Duration idleTimeout,
        Path apiKeysFile,
        double rateLimit,
        int rateLimitBurst,
        String adminBindAddress,
        int adminPort,
        Duration shutdownTimeout) {

    public static final int DEFAULT_MAX_CONNECTIONS = 2_000;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Jetty's default; a scanner's or an analyst's headers are a few hundred bytes. */
    public static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;
    /** Off: no rate limit. */
    public static final double DEFAULT_RATE_LIMIT = 0;
    /** A client may spend this many seconds' worth at once (a scanner catching up after an outage). */
    public static final int DEFAULT_BURST_SECONDS = 10;

    /** What differs between the services: their default ports. */
    public record Ports(int http, int https, int admin) {}

    public static final Setting<EdgeSettings, String> BIND_ADDRESS = Setting.text(
                    "LIFTLINE_BIND_ADDRESS", EdgeSettings::bindAddress)
            .byDefault(null, "all interfaces")
            .doc("the interface of the API port(s)");
    public static final Setting<EdgeSettings, Path> TLS_KEYSTORE = Setting.path(
                    "LIFTLINE_TLS_KEYSTORE",
                    (EdgeSettings e) -> e.tls() == null ? null : e.tls().keystore())
            .byDefault(null, "unset (plain HTTP)")
            .doc("a PKCS12 key and certificate chain: serve HTTPS (TLS 1.2, 1.3)");
    public static final Setting<EdgeSettings, String> TLS_KEYSTORE_PASSWORD = Setting.text(
                    "LIFTLINE_TLS_KEYSTORE_PASSWORD",
                    (EdgeSettings e) -> e.tls() == null ? null : e.tls().password())
            .secret()
            .doc("the keystore's password (better: ..._PASSWORD_FILE)");
    public static final Setting<EdgeSettings, Integer> MAX_CONNECTIONS = Setting.integer(
                    "LIFTLINE_MAX_CONNECTIONS", EdgeSettings::maxConnections)
            .byDefault(DEFAULT_MAX_CONNECTIONS)
            .check(Checks.POSITIVE)
            .doc("open connections on the API port(s); beyond it Jetty stops accepting");
    public static final Setting<EdgeSettings, Duration> IDLE_TIMEOUT = Setting.duration(
                    "LIFTLINE_IDLE_TIMEOUT", EdgeSettings::idleTimeout)
            .byDefault(DEFAULT_IDLE_TIMEOUT)
            .check(Checks.POSITIVE_DURATION)
            .doc("an idle connection is closed");
    public static final Setting<EdgeSettings, Path> API_KEYS_FILE = Setting.path(
                    "LIFTLINE_API_KEYS_FILE", EdgeSettings::apiKeysFile)
            .byDefault(null, "unset (open)")
            .doc("the API keys file; unset, anyone who reaches the port is served");
    public static final Setting<EdgeSettings, Double> RATE_LIMIT = Setting.number(
                    "LIFTLINE_RATE_LIMIT", EdgeSettings::rateLimit)
            .byDefault(DEFAULT_RATE_LIMIT, "unset (none)")
            .check(Checks.NOT_NEGATIVE)
            .shown(rate -> rate == 0 ? "none" : rate + "/s")
            .doc("units (rides, requests) per second per client; 0 = none");
    public static final Setting<EdgeSettings, Integer> RATE_LIMIT_BURST = Setting.integer(
                    "LIFTLINE_RATE_LIMIT_BURST", EdgeSettings::rateLimitBurst)
            .byDefault(null, "10 s of the rate")
            .check(Checks.POSITIVE)
            .doc("the units a client may spend at once");
    public static final Setting<EdgeSettings, String> ADMIN_BIND_ADDRESS =
            CommonSettings.adminBindAddress(EdgeSettings::adminBindAddress);
    public static final Setting<EdgeSettings, Duration> SHUTDOWN_TIMEOUT = CommonSettings.shutdownTimeout(
                    EdgeSettings::shutdownTimeout)
            .doc("how long requests in flight may take to finish at shutdown");

    /** The plain HTTP port; by default the service's, or off with TLS. */
    public static Setting<EdgeSettings, Integer> httpPortOf(Ports ports) {
        return Setting.integer("LIFTLINE_HTTP_PORT", EdgeSettings::httpPort)
                .byDefault(null, "`" + ports.http() + "`")
                .check(Checks.PORT)
                .shown(EdgeSettings::port)
                .doc("plain HTTP; 0 picks a free port; off (-1) by default with TLS");
    }

    public static Setting<EdgeSettings, Integer> httpsPortOf(Ports ports) {
        return Setting.integer("LIFTLINE_HTTPS_PORT", EdgeSettings::httpsPort)
                .byDefault(ports.https())
                .check(Checks.PORT)
                .doc("the HTTPS port, with LIFTLINE_TLS_KEYSTORE");
    }

    /** The admin port's variable: every service's, the consumer's included. */
    public static final String ADMIN_PORT = "LIFTLINE_ADMIN_PORT";

    public static Setting<EdgeSettings, Integer> adminPortOf(Ports ports) {
        return Setting.integer(ADMIN_PORT, EdgeSettings::adminPort)
                .byDefault(ports.admin())
                .check(Checks.PORT)
                .shown(EdgeSettings::port)
                .doc("/health/* and /metrics, never on the API port; -1 = off, 0 = a free port");
    }

    /** Every setting of a service's edge, with that service's default ports. */
    public static Settings<EdgeSettings> settings(Ports ports) {
        return Settings.of(
                httpPortOf(ports),
                httpsPortOf(ports),
                TLS_KEYSTORE,
                TLS_KEYSTORE_PASSWORD,
                BIND_ADDRESS,
                adminPortOf(ports),
                ADMIN_BIND_ADDRESS,
                MAX_CONNECTIONS,
                IDLE_TIMEOUT,
                API_KEYS_FILE,
                RATE_LIMIT,
                RATE_LIMIT_BURST,
                SHUTDOWN_TIMEOUT);
    }

    /** Checks what no single setting can: a service that would serve nothing. Each setting is checked by its declaration. */
    public EdgeSettings {
        if (httpPort == -1 && tls == null) {
            throw new IllegalArgumentException("LIFTLINE_HTTP_PORT is off (-1) and no LIFTLINE_TLS_KEYSTORE is set: "
                    + "the service would serve nothing");
        }
    }

    private static String port(int port) {
        return port == -1 ? "off" : String.valueOf(port);
    }

    /**
     * The edge of these values, with the defaults that follow from others: the plain port off with TLS, the burst
     * ten seconds of the rate. Checks each value against its declaration.
     */
    public static EdgeSettings of(Values values, Ports defaults) {
        Path keystore = values.get(TLS_KEYSTORE);
        String password = values.get(TLS_KEYSTORE_PASSWORD);
        if (keystore != null && password == null) {
            throw new IllegalArgumentException(TLS_KEYSTORE_PASSWORD.variable() + " (or "
                    + TLS_KEYSTORE_PASSWORD.variable() + "_FILE) must be set with " + TLS_KEYSTORE.variable());
        }
        Tls tls = keystore == null ? null : new Tls(keystore, password);
        Integer httpPort = values.get(httpPortOf(defaults));
        double rate = values.get(RATE_LIMIT);
        Integer burst = values.get(RATE_LIMIT_BURST);
        return settings(defaults)
                .check(new EdgeSettings(
                        values.get(BIND_ADDRESS),
                        httpPort == null ? defaultHttpPort(tls, defaults) : httpPort,
                        values.get(httpsPortOf(defaults)),
                        tls,
                        values.get(MAX_CONNECTIONS),
                        values.get(IDLE_TIMEOUT),
                        values.get(API_KEYS_FILE),
                        rate,
                        burst == null ? defaultBurst(rate) : burst,
                        values.get(ADMIN_BIND_ADDRESS),
                        values.get(adminPortOf(defaults)),
                        values.get(SHUTDOWN_TIMEOUT)));
    }

    /** Sets the key store and its password of {@code tls} (null: plain HTTP only). */
    public static Values tls(Values values, Tls tls) {
        return values.set(TLS_KEYSTORE, tls == null ? null : tls.keystore())
                .set(TLS_KEYSTORE_PASSWORD, tls == null ? null : tls.password());
    }

    /** With TLS the plain port is off unless asked for: a client must not fall back to cleartext by accident. */
    public static int defaultHttpPort(Tls tls, Ports defaults) {
        return tls == null ? defaults.http() : -1;
    }

    /** {@link #DEFAULT_BURST_SECONDS} worth of the rate, at least 1. */
    public static int defaultBurst(double rate) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(rate * DEFAULT_BURST_SECONDS)));
    }
}
