package io.liftline.query.config;

import static io.liftline.config.Checks.positive;
import static io.liftline.config.Checks.required;

import com.mongodb.ReadPreference;
import io.liftline.config.ConfigSource;
import io.liftline.config.Secrets;
import io.liftline.model.RideRanges;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * The query API's settings; {@link #from} reads them from flags and environment and validates each.
 *
 * @param mongodbUri       the store; in the shipped set-ups a user with only the {@code read} role
 * @param readPreference   which members answer: {@code secondaryPreferred} keeps analysts off the primary
 *                         that takes the workers' writes (on a single server it is that server)
 * @param httpPort         the public read API (0 picks a free port)
 * @param adminPort        {@code /health/*} and {@code /metrics} (-1 = off, 0 picks a free port)
 * @param queryTimeout     how long one query may take, in the store and waiting for it; then 503
 * @param cacheMaxAge      how long clients and proxies may keep an answer about a past day
 * @param timeZone         where "today" is: answers about today (or later) are never cached
 * @param ranges           the allowed ids, as on the ingest API ({@code LIFTLINE_RANGES})
 */
public record QueryConfig(String mongodbUri, String mongodbDatabase, ReadPreference readPreference, String bindAddress,
                          int httpPort, String adminBindAddress, int adminPort, Duration queryTimeout,
                          Duration cacheMaxAge, ZoneId timeZone, RideRanges ranges, Duration shutdownTimeout) {

    public static final String DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017";
    public static final String DEFAULT_MONGODB_DATABASE = "liftline";
    public static final ReadPreference DEFAULT_READ_PREFERENCE = ReadPreference.secondaryPreferred();
    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final int DEFAULT_ADMIN_PORT = 9092;
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(10);
    /** A late batch (a scanner back from an outage) reaches caches within this; the ETag revalidates cheaply. */
    public static final Duration DEFAULT_CACHE_MAX_AGE = Duration.ofHours(1);
    public static final ZoneId DEFAULT_TIME_ZONE = ZoneId.of("UTC");
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    public static final String MONGODB_URI = "LIFTLINE_MONGODB_URI";
    public static final String MONGODB_DATABASE = "LIFTLINE_MONGODB_DATABASE";
    public static final String READ_PREFERENCE = "LIFTLINE_READ_PREFERENCE";
    public static final String BIND_ADDRESS = "LIFTLINE_BIND_ADDRESS";
    public static final String HTTP_PORT = "LIFTLINE_HTTP_PORT";
    public static final String ADMIN_BIND_ADDRESS = "LIFTLINE_ADMIN_BIND_ADDRESS";
    public static final String ADMIN_PORT = "LIFTLINE_ADMIN_PORT";
    public static final String QUERY_TIMEOUT = "LIFTLINE_QUERY_TIMEOUT";
    public static final String CACHE_MAX_AGE = "LIFTLINE_CACHE_MAX_AGE";
    public static final String TIME_ZONE = "LIFTLINE_TIME_ZONE";
    public static final String RANGES = "LIFTLINE_RANGES";
    public static final String SHUTDOWN_TIMEOUT = "LIFTLINE_SHUTDOWN_TIMEOUT";

    public static final List<String> VARIABLES = List.of(MONGODB_URI, MONGODB_DATABASE, READ_PREFERENCE, BIND_ADDRESS,
            HTTP_PORT, ADMIN_BIND_ADDRESS, ADMIN_PORT, QUERY_TIMEOUT, CACHE_MAX_AGE, TIME_ZONE, RANGES, SHUTDOWN_TIMEOUT);

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
        port(httpPort, "httpPort", false);
        port(adminPort, "adminPort", true);
        positive(queryTimeout, "queryTimeout");
        positive(cacheMaxAge, "cacheMaxAge");
        required(timeZone, "timeZone");
        required(ranges, "ranges");
        positive(shutdownTimeout, "shutdownTimeout");
    }

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    public static QueryConfig from(ConfigSource source) {
        source.rejectUnknownFlags(VARIABLES);
        return new QueryConfig(
                source.get(MONGODB_URI, DEFAULT_MONGODB_URI),
                source.get(MONGODB_DATABASE, DEFAULT_MONGODB_DATABASE),
                readPreference(source.get(READ_PREFERENCE, DEFAULT_READ_PREFERENCE.getName())),
                source.get(BIND_ADDRESS, null),
                source.getInt(HTTP_PORT, DEFAULT_HTTP_PORT),
                source.get(ADMIN_BIND_ADDRESS, null),
                source.getInt(ADMIN_PORT, DEFAULT_ADMIN_PORT),
                source.getDuration(QUERY_TIMEOUT, DEFAULT_QUERY_TIMEOUT),
                source.getDuration(CACHE_MAX_AGE, DEFAULT_CACHE_MAX_AGE),
                zone(source.get(TIME_ZONE, DEFAULT_TIME_ZONE.getId())),
                RideRanges.parse(source.get(RANGES, null)),
                source.getDuration(SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT));
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

    private static void port(int port, String name, boolean mayBeOff) {
        if (port < (mayBeOff ? -1 : 0) || port > 65_535) {
            throw new IllegalArgumentException(name + " must be in " + (mayBeOff ? "-1" : "0") + "..65535, was " + port);
        }
    }

    @Override
    public String toString() {
        return "QueryConfig{mongodbUri=" + Secrets.maskUri(mongodbUri) + ", mongodbDatabase=" + mongodbDatabase
                + ", readPreference=" + readPreference.getName() + ", httpPort=" + httpPort + ", adminPort=" + adminPort
                + ", queryTimeout=" + queryTimeout.toMillis() + "ms, cacheMaxAge=" + cacheMaxAge.toSeconds()
                + "s, timeZone=" + timeZone + ", ranges=" + ranges + "}";
    }
}
