package io.liftline.query.config;

import com.mongodb.ReadPreference;
import io.liftline.model.RideRanges;
import io.liftline.runtime.Checks;
import io.liftline.runtime.CommonSettings;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Setting;
import io.liftline.runtime.Settings;
import io.liftline.runtime.Values;
import io.liftline.service.RideSettings;
import io.liftline.service.edge.EdgeSettings;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The query API's settings. Each is declared once below ({@link #SETTINGS}); {@link #from} reads them,
 * {@code --help} lists them, {@link #toString} shows them without secrets, and a test keeps
 * docs/configuration.md equal to them. Build one through {@link #from} or {@link #of}, which check every value.
 *
 * @param mongodbUri       the store; in the shipped set-ups a user with only the {@code read} role
 * @param readPreference   which members answer: {@code secondaryPreferred} keeps analysts off the primary
 *                         that takes the workers' writes (on a single server it is that server)
 * @param edge             the public edge, as on the ingest API: ports (read API 8081, HTTPS 8444, admin 9092), TLS,
 *                         connection limits, API keys (with the {@code read} scope) and the rate limit (requests/s)
 * @param queryTimeout     how long one query may take, in the store and waiting for it; then 503
 * @param cacheMaxAge      how long clients and proxies may keep an answer about a past day
 * @param timeZone         where "today" is: answers about today (or later) are never cached
 * @param ranges           the allowed ids, as on the ingest API ({@code LIFTLINE_RANGES})
 */
public record QueryConfig(
        String mongodbUri,
        String mongodbDatabase,
        ReadPreference readPreference,
        EdgeSettings edge,
        Duration queryTimeout,
        Duration cacheMaxAge,
        ZoneId timeZone,
        RideRanges ranges) {

    /** The read API's default ports: 8081, HTTPS 8444, admin 9092. */
    public static final EdgeSettings.Ports PORTS = new EdgeSettings.Ports(8081, 8444, 9092);
    /** The edge's port settings with the query API's defaults: to {@link Values#set} them in code. */
    public static final Setting<EdgeSettings, Integer> HTTP_PORT = EdgeSettings.httpPortOf(PORTS);

    public static final Setting<EdgeSettings, Integer> HTTPS_PORT = EdgeSettings.httpsPortOf(PORTS);
    public static final Setting<EdgeSettings, Integer> ADMIN_PORT = EdgeSettings.adminPortOf(PORTS);
    /** A late batch (a scanner back from an outage) reaches caches within this; the ETag revalidates cheaply. */
    public static final Duration DEFAULT_CACHE_MAX_AGE = Duration.ofHours(1);

    public static final Setting<QueryConfig, String> MONGODB_URI = CommonSettings.mongodbUri(QueryConfig::mongodbUri)
            .doc("the store; in the shipped set-ups a user with only the read role");
    public static final Setting<QueryConfig, String> MONGODB_DATABASE =
            CommonSettings.mongodbDatabase(QueryConfig::mongodbDatabase).doc("the database the workers write");
    public static final Setting<QueryConfig, ReadPreference> READ_PREFERENCE = Setting.of(
                    "LIFTLINE_READ_PREFERENCE",
                    QueryConfig::readPreference,
                    ReadPreference::valueOf,
                    "one of primary, primaryPreferred, secondary, secondaryPreferred, nearest")
            .byDefault(ReadPreference.secondaryPreferred(), "`secondaryPreferred`")
            .shown(ReadPreference::getName)
            .doc("which replica-set members answer: secondaryPreferred keeps analysts off the primary");
    public static final Setting<QueryConfig, Duration> QUERY_TIMEOUT = Setting.duration(
                    "LIFTLINE_QUERY_TIMEOUT", QueryConfig::queryTimeout)
            .byDefault(Duration.ofSeconds(10))
            .check(Checks.POSITIVE_DURATION)
            .doc("longest a query may take (choosing a member, in the store, on the socket); then 503");
    public static final Setting<QueryConfig, Duration> CACHE_MAX_AGE = Setting.duration(
                    "LIFTLINE_CACHE_MAX_AGE", QueryConfig::cacheMaxAge)
            .byDefault(DEFAULT_CACHE_MAX_AGE)
            .check(Checks.POSITIVE_DURATION)
            .doc("Cache-Control max-age of answers about past days");
    public static final Setting<QueryConfig, ZoneId> TIME_ZONE = Setting.of(
                    "LIFTLINE_TIME_ZONE",
                    QueryConfig::timeZone,
                    ZoneId::of,
                    "a time zone such as UTC or America/Denver")
            .byDefault(ZoneId.of("UTC"))
            .doc("where \"today\" is: today's answers are never cached");
    public static final Setting<QueryConfig, RideRanges> RANGES =
            RideSettings.ranges(QueryConfig::ranges).doc("the ids a question may name, as on the ingest API");

    /** Every setting of the query API, its own and then its edge's. */
    public static final Settings<QueryConfig> SETTINGS = Settings.of(
                    MONGODB_URI, MONGODB_DATABASE, READ_PREFERENCE, QUERY_TIMEOUT, CACHE_MAX_AGE, TIME_ZONE, RANGES)
            .and(EdgeSettings.settings(PORTS), QueryConfig::edge);

    /**
     * The config of these values ({@link Values#defaults()} with some set, in code), each checked against its
     * declaration.
     */
    public static QueryConfig of(Values v) {
        return SETTINGS.check(new QueryConfig(
                v.get(MONGODB_URI),
                v.get(MONGODB_DATABASE),
                v.get(READ_PREFERENCE),
                EdgeSettings.of(v, PORTS),
                v.get(QUERY_TIMEOUT),
                v.get(CACHE_MAX_AGE),
                v.get(TIME_ZONE),
                v.get(RANGES)));
    }

    public QueryConfig {
        Objects.requireNonNull(edge, "edge");
    }

    /** The interface the public ports bind to; null for all. */
    public String bindAddress() {
        return edge.bindAddress();
    }

    public int httpPort() {
        return edge.httpPort();
    }

    public String adminBindAddress() {
        return edge.adminBindAddress();
    }

    public int adminPort() {
        return edge.adminPort();
    }

    public Duration shutdownTimeout() {
        return edge.shutdownTimeout();
    }

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    public static QueryConfig from(ConfigSource source) {
        SETTINGS.rejectUnknownFlags(source);
        return of(Values.from(source));
    }

    @Override
    public String toString() {
        return SETTINGS.describe("QueryConfig", this);
    }
}
