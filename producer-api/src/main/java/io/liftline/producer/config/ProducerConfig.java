package io.liftline.producer.config;

import static io.liftline.runtime.Checks.positive;
import static io.liftline.runtime.Checks.required;

import io.liftline.broker.Shards;
import io.liftline.runtime.Checks;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Secrets;
import io.liftline.model.RideRanges;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.service.edge.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The producer's settings, immutable and validated. Each comes from a {@code --flag}, a {@code LIFTLINE_*}
 * variable or its {@code DEFAULT_*}; see {@link #VARIABLES} and docs/configuration.md.
 *
 * @param httpPort              the plain HTTP port; -1 when off (the default with TLS)
 * @param bindAddress           the interface the public ports bind to; null for all
 * @param adminPort             the port of {@code /metrics} and {@code /health/*}; -1 when off
 * @param adminBindAddress      the interface the admin port binds to; null for all
 * @param tls                   TLS for the public port, or null for plain HTTP only
 * @param rateLimit             rides per second per client; 0 for no limit
 * @param rateLimitBurst        the rides a client may send at once before the rate limit applies
 * @param apiKeysFile           the API keys file, or null: no keys asked, anyone who reaches the port may post
 * @param shards                the ride queues rides are published to
 * @param holdMaxRequests       requests that may wait for a lost broker connection to come back at once; 0 holds none
 * @param holdMaxBytes          the messages' bytes that may wait so at once
 * @param drainDelay            at shutdown, how long the producer keeps serving after readiness says DOWN
 */
public record ProducerConfig(String amqpUri, int httpPort, int httpsPort, String bindAddress, int adminPort,
                             String adminBindAddress, Tls tls, Duration publishTimeout, int channelPoolSize,
                             Duration channelAcquireTimeout, int maxInFlightPerChannel, int maxBodyBytes,
                             int maxBatchSize, int maxRideBodyBytes, int maxConnections, Duration idleTimeout,
                             double rateLimit, int rateLimitBurst, Duration retryAfter, Duration shutdownTimeout,
                             RideRanges ranges, Path apiKeysFile, Shards shards, int holdMaxRequests, long holdMaxBytes,
                             Duration drainDelay) {

    public static final String DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** HTTPS, when {@link #TLS_KEYSTORE} is set. */
    public static final int DEFAULT_HTTPS_PORT = 8443;
    /** {@code /metrics} and {@code /health/*}, never on the public port; -1 turns them off, 0 picks a free port. */
    public static final int DEFAULT_ADMIN_PORT = 9090;
    /**
     * The longest a request waits for its confirms, a lost connection's recovery included, before it is answered
     * 503. Five seconds rides through a node failover or a broker restart of a few seconds (the client reconnects
     * every second), and stays well inside a scanner's HTTP timeout (commonly 10 s or more).
     */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    /** Every connection the edge accepts by default may wait for a reconnect, and a few hundred more. */
    public static final int DEFAULT_PUBLISH_HOLD_MAX_REQUESTS = 2_000;
    /** 16 MiB: a few thousand single rides, or a dozen full batches, within the default 160 MB heap. */
    public static final long DEFAULT_PUBLISH_HOLD_MAX_BYTES = 16L * 1024 * 1024;
    /**
     * Channels publish only while a request writes its messages, so a few serve hundreds of requests; fewer
     * channels carry more publishes each, which the broker confirms in larger multiple-acks (4 outran 8 and 16
     * in the producer benchmark).
     */
    public static final int DEFAULT_CHANNEL_POOL_SIZE = 4;
    public static final Duration DEFAULT_CHANNEL_ACQUIRE_TIMEOUT = Duration.ofSeconds(1);
    /** Unconfirmed publishes one channel may carry; bounds the memory a slow broker can pin. */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL = 4_000;
    /** 1 MiB holds a 1,000-ride batch with 128-character event ids several times over. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_SIZE = 1_000;
    /** A single POST's useful body is about 25 bytes ({@code {"time":217,"liftID":21}}). */
    public static final int DEFAULT_MAX_RIDE_BODY_BYTES = 4 * 1024;
    /** Open connections on the public port; beyond it Jetty stops accepting and shortens idle timeouts. */
    public static final int DEFAULT_MAX_CONNECTIONS = EdgeSettings.DEFAULT_MAX_CONNECTIONS;
    /** A connection silent this long is closed; a body that stalls this long is abandoned with a 408 or a close. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = EdgeSettings.DEFAULT_IDLE_TIMEOUT;
    /**
     * A request body still arriving after this long is abandoned with 408: with the idle timeout, this bounds how
     * long a slow-body (slowloris) client holds a request open. A 1 MiB batch needs only 100 KiB/s to make it.
     */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);
    /** Jetty's default; a scanner's headers are a few hundred bytes. */
    public static final int DEFAULT_MAX_REQUEST_HEADER_BYTES = EdgeSettings.MAX_REQUEST_HEADER_BYTES;
    /** Off: no rate limit. */
    public static final double DEFAULT_RATE_LIMIT = EdgeSettings.DEFAULT_RATE_LIMIT;
    /** A client may send this many seconds' worth of rides at once (a scanner catching up after an outage). */
    public static final int DEFAULT_BURST_SECONDS = EdgeSettings.DEFAULT_BURST_SECONDS;
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = EdgeSettings.DEFAULT_SHUTDOWN_TIMEOUT;
    /**
     * None: alone, a producer stops serving as soon as it is told to. Behind a load balancer, set the time the
     * balancer takes to see readiness DOWN (the shipped HAProxy: checks every 500 ms, down after 2, so 2s), and a
     * rolling restart costs no request.
     */
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;

    public static final String AMQP_URI = "LIFTLINE_AMQP_URI";
    public static final String HTTP_PORT = EdgeSettings.HTTP_PORT;
    public static final String HTTPS_PORT = EdgeSettings.HTTPS_PORT;
    public static final String BIND_ADDRESS = EdgeSettings.BIND_ADDRESS;
    public static final String ADMIN_PORT = EdgeSettings.ADMIN_PORT;
    public static final String ADMIN_BIND_ADDRESS = EdgeSettings.ADMIN_BIND_ADDRESS;
    /** A PKCS12 keystore with the server's key and certificate chain; set, the producer serves HTTPS. */
    public static final String TLS_KEYSTORE = EdgeSettings.TLS_KEYSTORE;
    public static final String TLS_KEYSTORE_PASSWORD = EdgeSettings.TLS_KEYSTORE_PASSWORD;
    public static final String PUBLISH_TIMEOUT = "LIFTLINE_PUBLISH_TIMEOUT";
    public static final String PUBLISH_HOLD_MAX_REQUESTS = "LIFTLINE_PUBLISH_HOLD_MAX_REQUESTS";
    public static final String PUBLISH_HOLD_MAX_BYTES = "LIFTLINE_PUBLISH_HOLD_MAX_BYTES";
    public static final String CHANNEL_POOL_SIZE = "LIFTLINE_CHANNEL_POOL_SIZE";
    public static final String CHANNEL_ACQUIRE_TIMEOUT = "LIFTLINE_CHANNEL_ACQUIRE_TIMEOUT";
    public static final String MAX_IN_FLIGHT_PER_CHANNEL = "LIFTLINE_MAX_IN_FLIGHT_PER_CHANNEL";
    public static final String MAX_BODY_BYTES = "LIFTLINE_MAX_BODY_BYTES";
    public static final String MAX_BATCH_SIZE = "LIFTLINE_MAX_BATCH_SIZE";
    public static final String MAX_RIDE_BODY_BYTES = "LIFTLINE_MAX_RIDE_BODY_BYTES";
    public static final String MAX_CONNECTIONS = EdgeSettings.MAX_CONNECTIONS;
    public static final String IDLE_TIMEOUT = EdgeSettings.IDLE_TIMEOUT;
    public static final String RATE_LIMIT = EdgeSettings.RATE_LIMIT;
    public static final String RATE_LIMIT_BURST = EdgeSettings.RATE_LIMIT_BURST;
    public static final String RETRY_AFTER = "LIFTLINE_RETRY_AFTER";
    public static final String SHUTDOWN_TIMEOUT = EdgeSettings.SHUTDOWN_TIMEOUT;
    public static final String DRAIN_DELAY = "LIFTLINE_DRAIN_DELAY";
    public static final String RANGES = "LIFTLINE_RANGES";
    /** Ride queues, a skier's rides always on one; the workers must be given the same count. */
    public static final String SHARDS = "LIFTLINE_SHARDS";
    /** Unset: the ingest API is open to anyone who reaches it. */
    public static final String API_KEYS_FILE = EdgeSettings.API_KEYS_FILE;

    public static final List<String> VARIABLES = List.of(AMQP_URI, HTTP_PORT, HTTPS_PORT, BIND_ADDRESS, ADMIN_PORT,
            ADMIN_BIND_ADDRESS, TLS_KEYSTORE, TLS_KEYSTORE_PASSWORD, PUBLISH_TIMEOUT, PUBLISH_HOLD_MAX_REQUESTS,
            PUBLISH_HOLD_MAX_BYTES, CHANNEL_POOL_SIZE,
            CHANNEL_ACQUIRE_TIMEOUT, MAX_IN_FLIGHT_PER_CHANNEL, MAX_BODY_BYTES, MAX_BATCH_SIZE, MAX_RIDE_BODY_BYTES,
            MAX_CONNECTIONS, IDLE_TIMEOUT, RATE_LIMIT, RATE_LIMIT_BURST, RETRY_AFTER, SHUTDOWN_TIMEOUT, RANGES,
            API_KEYS_FILE, SHARDS, DRAIN_DELAY);

    public ProducerConfig {
        Checks.amqpUri(amqpUri, "amqpUri");
        if (httpPort == -1 && tls == null) {
            throw new IllegalArgumentException("httpPort is off (-1) and no TLS keystore is set: the producer would serve nothing");
        }
        new EdgeSettings(bindAddress, httpPort, httpsPort, tls, maxConnections, idleTimeout, apiKeysFile, rateLimit,
                rateLimitBurst, adminBindAddress, adminPort, shutdownTimeout); // checks the edge's settings
        positive(maxRideBodyBytes, "maxRideBodyBytes");
        positive(publishTimeout, "publishTimeout");
        positive(channelPoolSize, "channelPoolSize");
        if (holdMaxRequests < 0 || holdMaxBytes < 0) {
            throw new IllegalArgumentException("holdMaxRequests and holdMaxBytes must be 0 or more (0 holds nothing)");
        }
        positive(channelAcquireTimeout, "channelAcquireTimeout");
        positive(maxInFlightPerChannel, "maxInFlightPerChannel");
        positive(maxBodyBytes, "maxBodyBytes");
        positive(maxBatchSize, "maxBatchSize");
        positive(retryAfter, "retryAfter");
        positive(shutdownTimeout, "shutdownTimeout");
        if (drainDelay == null || drainDelay.isNegative()) {
            throw new IllegalArgumentException("drainDelay must be 0 or more, was " + drainDelay);
        }
        required(ranges, "ranges");
        required(shards, "shards");
    }

    /** The public edge's settings, as the shared edge takes them. */
    public EdgeSettings edge() {
        return new EdgeSettings(bindAddress, httpPort, httpsPort, tls, maxConnections, idleTimeout, apiKeysFile, rateLimit,
                rateLimitBurst, adminBindAddress, adminPort, shutdownTimeout);
    }

    /** The producer's default ports: ingest 8080, HTTPS 8443, admin 9090. */
    public static final EdgeSettings.Ports PORTS = new EdgeSettings.Ports(DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, DEFAULT_ADMIN_PORT);

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    public static ProducerConfig from(ConfigSource source) {
        source.rejectUnknownFlags(VARIABLES);
        EdgeSettings edge = EdgeSettings.from(source, PORTS);
        return builder()
                .amqpUri(source.get(AMQP_URI, DEFAULT_AMQP_URI))
                .httpPort(edge.httpPort())
                .httpsPort(edge.httpsPort())
                .bindAddress(edge.bindAddress())
                .adminPort(edge.adminPort())
                .adminBindAddress(edge.adminBindAddress())
                .tls(edge.tls())
                .maxRideBodyBytes(source.getInt(MAX_RIDE_BODY_BYTES, DEFAULT_MAX_RIDE_BODY_BYTES))
                .maxConnections(edge.maxConnections())
                .idleTimeout(edge.idleTimeout())
                .rateLimit(edge.rateLimit())
                .rateLimitBurst(edge.rateLimitBurst())
                .publishTimeout(source.getDuration(PUBLISH_TIMEOUT, DEFAULT_PUBLISH_TIMEOUT))
                .holdMaxRequests(source.getInt(PUBLISH_HOLD_MAX_REQUESTS, DEFAULT_PUBLISH_HOLD_MAX_REQUESTS))
                .holdMaxBytes(source.getLong(PUBLISH_HOLD_MAX_BYTES, DEFAULT_PUBLISH_HOLD_MAX_BYTES))
                .channelPoolSize(source.getInt(CHANNEL_POOL_SIZE, DEFAULT_CHANNEL_POOL_SIZE))
                .channelAcquireTimeout(source.getDuration(CHANNEL_ACQUIRE_TIMEOUT, DEFAULT_CHANNEL_ACQUIRE_TIMEOUT))
                .maxInFlightPerChannel(source.getInt(MAX_IN_FLIGHT_PER_CHANNEL, DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL))
                .maxBodyBytes(source.getInt(MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES))
                .maxBatchSize(source.getInt(MAX_BATCH_SIZE, DEFAULT_MAX_BATCH_SIZE))
                .retryAfter(source.getDuration(RETRY_AFTER, DEFAULT_RETRY_AFTER))
                .shutdownTimeout(edge.shutdownTimeout())
                .drainDelay(source.getDuration(DRAIN_DELAY, DEFAULT_DRAIN_DELAY))
                .ranges(RideRanges.parse(source.get(RANGES, null)))
                .apiKeysFile(edge.apiKeysFile())
                .shards(source.getInt(SHARDS, 1))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "ProducerConfig{amqpUri=" + Secrets.maskUri(amqpUri) + ", httpPort=" + (httpPort == -1 ? "off" : httpPort)
                + ", tls=" + (tls == null ? "off" : tls + ", httpsPort=" + httpsPort)
                + ", bindAddress=" + (bindAddress == null ? "all" : bindAddress)
                + ", adminPort=" + (adminPort == -1 ? "off" : adminPort)
                + ", adminBindAddress=" + (adminBindAddress == null ? "all" : adminBindAddress)
                + ", rateLimit=" + (rateLimit == 0 ? "none" : rateLimit + "/s burst " + rateLimitBurst)
                + ", maxRideBodyBytes=" + maxRideBodyBytes + ", maxConnections=" + maxConnections
                + ", idleTimeout=" + idleTimeout.toMillis() + "ms"
                + ", publishTimeout=" + publishTimeout.toMillis() + "ms, holdMaxRequests=" + holdMaxRequests
                + ", holdMaxBytes=" + holdMaxBytes + ", channelPoolSize=" + channelPoolSize
                + ", channelAcquireTimeout=" + channelAcquireTimeout.toMillis() + "ms, maxInFlightPerChannel="
                + maxInFlightPerChannel + ", maxBodyBytes=" + maxBodyBytes + ", maxBatchSize=" + maxBatchSize
                + ", retryAfter=" + retryAfter.toSeconds() + "s, shutdownTimeout=" + shutdownTimeout.toMillis()
                + "ms, drainDelay=" + drainDelay.toMillis() + "ms, ranges=" + ranges + ", apiKeysFile=" + (apiKeysFile == null ? "none (open)" : apiKeysFile) + ", shards=" + shards.count() + "}";
    }

    /** Builds a config from the defaults; tests set what they need. */
    public static final class Builder {
        private String amqpUri = DEFAULT_AMQP_URI;
        private Integer httpPort;
        private int httpsPort = DEFAULT_HTTPS_PORT;
        private String bindAddress;
        private int adminPort = DEFAULT_ADMIN_PORT;
        private String adminBindAddress;
        private Tls tls;
        private int maxRideBodyBytes = DEFAULT_MAX_RIDE_BODY_BYTES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private double rateLimit = DEFAULT_RATE_LIMIT;
        private Integer rateLimitBurst;
        private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
        private int channelPoolSize = DEFAULT_CHANNEL_POOL_SIZE;
        private int holdMaxRequests = DEFAULT_PUBLISH_HOLD_MAX_REQUESTS;
        private long holdMaxBytes = DEFAULT_PUBLISH_HOLD_MAX_BYTES;
        private Duration drainDelay = DEFAULT_DRAIN_DELAY;
        private Duration channelAcquireTimeout = DEFAULT_CHANNEL_ACQUIRE_TIMEOUT;
        private int maxInFlightPerChannel = DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private RideRanges ranges;
        private Path apiKeysFile;
        private int shards = 1;

        public Builder shards(int v) {
            shards = v;
            return this;
        }

        public Builder apiKeysFile(Path v) {
            apiKeysFile = v;
            return this;
        }

        public Builder httpsPort(int v) {
            httpsPort = v;
            return this;
        }

        public Builder bindAddress(String v) {
            bindAddress = v;
            return this;
        }

        public Builder adminPort(int v) {
            adminPort = v;
            return this;
        }

        public Builder adminBindAddress(String v) {
            adminBindAddress = v;
            return this;
        }

        public Builder tls(Tls v) {
            tls = v;
            return this;
        }

        public Builder maxRideBodyBytes(int v) {
            maxRideBodyBytes = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder rateLimit(double v) {
            rateLimit = v;
            return this;
        }

        /** Null: {@value ProducerConfig#DEFAULT_BURST_SECONDS} seconds' worth of the rate. */
        public Builder rateLimitBurst(Integer v) {
            rateLimitBurst = v;
            return this;
        }

        public Builder amqpUri(String v) {
            amqpUri = v;
            return this;
        }

        /** Null: {@value ProducerConfig#DEFAULT_HTTP_PORT}, or off with TLS. */
        public Builder httpPort(Integer v) {
            httpPort = v;
            return this;
        }

        public Builder publishTimeout(Duration v) {
            publishTimeout = v;
            return this;
        }

        public Builder channelPoolSize(int v) {
            channelPoolSize = v;
            return this;
        }

        public Builder channelAcquireTimeout(Duration v) {
            channelAcquireTimeout = v;
            return this;
        }

        public Builder maxInFlightPerChannel(int v) {
            maxInFlightPerChannel = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxBatchSize(int v) {
            maxBatchSize = v;
            return this;
        }

        public Builder drainDelay(Duration v) {
            drainDelay = v;
            return this;
        }

        public Builder holdMaxRequests(int v) {
            holdMaxRequests = v;
            return this;
        }

        public Builder holdMaxBytes(long v) {
            holdMaxBytes = v;
            return this;
        }

        public Builder retryAfter(Duration v) {
            retryAfter = v;
            return this;
        }

        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = v;
            return this;
        }

        public Builder ranges(RideRanges v) {
            ranges = v;
            return this;
        }

        /** Resolves the defaults that depend on other settings, then validates. */
        public ProducerConfig build() {
            int http = httpPort != null ? httpPort : EdgeSettings.defaultHttpPort(tls, PORTS);
            int burst = rateLimitBurst != null ? rateLimitBurst : EdgeSettings.defaultBurst(rateLimit);
            return new ProducerConfig(amqpUri, http, httpsPort, bindAddress, adminPort, adminBindAddress, tls,
                    publishTimeout, channelPoolSize, channelAcquireTimeout, maxInFlightPerChannel, maxBodyBytes,
                    maxBatchSize, maxRideBodyBytes, maxConnections, idleTimeout, rateLimit, burst, retryAfter,
                    shutdownTimeout, ranges == null ? RideRanges.defaults() : ranges, apiKeysFile, new Shards(shards),
                    holdMaxRequests, holdMaxBytes, drainDelay);
        }
    }
}
