package io.liftline.query.config;

import static io.liftline.runtime.Checks.positive;
import static io.liftline.runtime.Checks.required;

import com.mongodb.ReadPreference;
import io.liftline.model.RideRanges;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Secrets;
import io.liftline.service.edge.EdgeSettings;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;

/**
 * The query API's settings; {@link #from} reads them from flags and environment and validates each.
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
public record QueryConfig(String mongodbUri, String mongodbDatabase, ReadPreference readPreference, EdgeSettings edge,
                          Duration queryTimeout, Duration cacheMaxAge, ZoneId timeZone, RideRanges ranges) {

    public static final String DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017";
    public static final String DEFAULT_MONGODB_DATABASE = "liftline";
    public static final ReadPreference DEFAULT_READ_PREFERENCE = ReadPreference.secondaryPreferred();
    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final int DEFAULT_HTTPS_PORT = 8444;
    public static final int DEFAULT_ADMIN_PORT = 9092;
    /** The read API's default ports. */
    public static final EdgeSettings.Ports PORTS = new EdgeSettings.Ports(DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, DEFAULT_ADMIN_PORT);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(10);
    /** A late batch (a scanner back from an outage) reaches caches within this; the ETag revalidates cheaply. */
    public static final Duration DEFAULT_CACHE_MAX_AGE = Duration.ofHours(1);
    public static final ZoneId DEFAULT_TIME_ZONE = ZoneId.of("UTC");

    public static final String MONGODB_URI = "LIFTLINE_MONGODB_URI";
    public static final String MONGODB_DATABASE = "LIFTLINE_MONGODB_DATABASE";
    public static final String READ_PREFERENCE = "LIFTLINE_READ_PREFERENCE";
    public static final String QUERY_TIMEOUT = "LIFTLINE_QUERY_TIMEOUT";
    public static final String CACHE_MAX_AGE = "LIFTLINE_CACHE_MAX_AGE";
    public static final String TIME_ZONE = "LIFTLINE_TIME_ZONE";
    public static final String RANGES = "LIFTLINE_RANGES";

    public static final List<String> VARIABLES = Stream.concat(Stream.of(MONGODB_URI, MONGODB_DATABASE,
            READ_PREFERENCE, QUERY_TIMEOUT, CACHE_MAX_AGE, TIME_ZONE, RANGES), EdgeSettings.VARIABLES.stream()).toList();

    public QueryConfig {
        required(mongodbUri, "mongodbUri");
        if (!mongodbUri.startsWith("mongodb://") && !mongodbUri.startsWith("mongodb+srv://")) {
            throw new IllegalArgumentException("mongodbUri must start with mongodb:// or mongodb+srv://, was "
                    + Secrets.maskUri(mongodbUri));
        }
        required(mongodbDatabase, "mongodbDatabase");
        if (mongodbDatabase.isBlank()) {
            throw new IllegalArgumentException("mongodbDatabase must not be blank");
        }
        required(readPreference, "readPreference");
        required(edge, "edge");
        positive(queryTimeout, "queryTimeout");
        positive(cacheMaxAge, "cacheMaxAge");
        required(timeZone, "timeZone");
        required(ranges, "ranges");
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
        source.rejectUnknownFlags(VARIABLES);
        return new QueryConfig(
                source.get(MONGODB_URI, DEFAULT_MONGODB_URI),
                source.get(MONGODB_DATABASE, DEFAULT_MONGODB_DATABASE),
                readPreference(source.get(READ_PREFERENCE, DEFAULT_READ_PREFERENCE.getName())),
                EdgeSettings.from(source, PORTS),
                source.getDuration(QUERY_TIMEOUT, DEFAULT_QUERY_TIMEOUT),
                source.getDuration(CACHE_MAX_AGE, DEFAULT_CACHE_MAX_AGE),
                zone(source.get(TIME_ZONE, DEFAULT_TIME_ZONE.getId())),
                RideRanges.parse(source.get(RANGES, null)));
    }

    private static ReadPreference readPreference(String name) {
        try {
            return ReadPreference.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(READ_PREFERENCE + " must be one of primary, primaryPreferred, secondary, "
                    + "secondaryPreferred, nearest, was '" + name + "'");
        }
    }

    private static ZoneId zone(String id) {
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(TIME_ZONE + " must be a time zone such as UTC or America/Denver, was '" + id + "'");
        }
    }

    @Override
    public String toString() {
        return "QueryConfig{mongodbUri=" + Secrets.maskUri(mongodbUri) + ", mongodbDatabase=" + mongodbDatabase
                + ", readPreference=" + readPreference.getName() + ", " + edge.describe()
                + ", queryTimeout=" + queryTimeout.toMillis() + "ms, cacheMaxAge=" + cacheMaxAge.toSeconds()
                + "s, timeZone=" + timeZone + ", ranges=" + ranges + "}";
    }
}
