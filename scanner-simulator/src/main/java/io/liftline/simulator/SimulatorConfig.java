package io.liftline.simulator;

import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What one simulator run does. Flags ({@code --events}) or {@code LIFTLINE_*} variables, as for the apps.
 *
 * @param url            the producer's base URL, or several separated by commas: requests go round-robin, and a
 *                       retry goes to the next one (a client failing over when a producer dies)
 * @param events         rides to send
 * @param mode           {@code upic} (one ride per POST, in two phases) or {@code batch} (POST /rides)
 * @param batchSize      rides per request in batch mode
 * @param phase1Threads  Upic phase one: this many scanners send {@code phase1PerThread} rides each
 * @param phase1PerThread rides per phase-one scanner
 * @param threads        scanners of phase two (which starts when the first phase-one scanner is done), or of
 *                       batch mode
 * @param maxRetries     retries of one request on 5xx, 429 or a network error
 * @param requestTimeout how long one request may take before it counts as failed and is retried
 * @param runId          prefix of every event id of the run, so the run can be verified in the store
 * @param verify         after the load, check that every accepted ride is stored exactly once
 * @param mongodbUri     the store, for --verify
 * @param mongodbDatabase the database, for --verify
 * @param verifyTimeout  how long --verify waits for the queue to drain into the store
 * @param csv            a file for one line per request, or null
 * @param html           a file for the self-contained HTML report, or null
 * @param progress       print a progress line every {@code progressInterval}: counts so far, the rate and the p99
 *                       latency of that interval
 * @param apiKey         sent as {@code Authorization: Bearer <key>} when not null (prefer the variable
 *                       {@code LIFTLINE_API_KEY} to the flag: a command line is visible to every user of the machine)
 * @param rate           rides per second to send at most (0: as fast as the scanners go)
 * @param idempotencyKeys send each ride's id ({@code Idempotency-Key}, or {@code eventId} in a batch); without them
 *                       ({@code --no-idempotency-keys}, as stock Upic clients) the producer assigns ids, and a retry
 *                       after a lost answer may store a ride twice, which {@code --verify} then counts
 * @param httpClient     the scanners' HTTP client: {@code netty} (default: scanners as connections on an event loop,
 *                       the fastest by scripts/bench-simulator), or a thread per scanner on {@code apache},
 *                       {@code jetty} or {@code jdk}
 * @param managementUri  RabbitMQ's management API ({@code http://user:pass@host:15672}): the HTML report then
 *                       shows the queue's depth and consumers over the run; null leaves them out
 * @param workers        the workers' admin ports ({@code http://host:9091}, comma-separated): the HTML report then shows
 *                       freshness over the run, their lag p50 and p99 from a ride's 201 to its store; null leaves it out
 * @param noBackoff      retry at once, ignoring Retry-After, as a stock Upic client does ({@code --no-backoff}); the
 *                       default backs off and honours Retry-After
 */
public record SimulatorConfig(String url, int events, String mode, int batchSize, int phase1Threads, int phase1PerThread,
                              int threads, int maxRetries, Duration requestTimeout, String runId, boolean verify,
                              String mongodbUri, String mongodbDatabase, Duration verifyTimeout, String csv, String html,
                              boolean progress, Duration progressInterval, double rate, boolean idempotencyKeys,
                              String apiKey, String httpClient, String managementUri, String workers, boolean noBackoff) {

    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    public static final int DEFAULT_EVENTS = 200_000;
    public static final String DEFAULT_MODE = "upic";
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int DEFAULT_PHASE1_THREADS = 32;
    public static final int DEFAULT_PHASE1_PER_THREAD = 1_000;
    public static final int DEFAULT_THREADS = 64;
    public static final int DEFAULT_MAX_RETRIES = 5;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofMinutes(3);

    public static final String URL = "LIFTLINE_URL";
    public static final String EVENTS = "LIFTLINE_EVENTS";
    public static final String MODE = "LIFTLINE_MODE";
    public static final String BATCH_SIZE = "LIFTLINE_BATCH_SIZE";
    public static final String PHASE1_THREADS = "LIFTLINE_PHASE1_THREADS";
    public static final String PHASE1_PER_THREAD = "LIFTLINE_PHASE1_PER_THREAD";
    public static final String THREADS = "LIFTLINE_THREADS";
    public static final String MAX_RETRIES = "LIFTLINE_MAX_RETRIES";
    public static final String REQUEST_TIMEOUT = "LIFTLINE_REQUEST_TIMEOUT";
    public static final String RUN_ID = "LIFTLINE_RUN_ID";
    public static final String VERIFY = "LIFTLINE_VERIFY";
    public static final String MONGODB_URI = "LIFTLINE_MONGODB_URI";
    public static final String MONGODB_DATABASE = "LIFTLINE_MONGODB_DATABASE";
    public static final String VERIFY_TIMEOUT = "LIFTLINE_VERIFY_TIMEOUT";
    public static final String CSV = "LIFTLINE_CSV";
    public static final String HTML = "LIFTLINE_HTML";
    public static final String PROGRESS = "LIFTLINE_PROGRESS";
    public static final String RATE = "LIFTLINE_RATE";
    public static final String API_KEY = "LIFTLINE_API_KEY";
    public static final String PROGRESS_INTERVAL = "LIFTLINE_PROGRESS_INTERVAL";
    /** A switch, {@code --no-idempotency-keys}. */
    public static final String HTTP_CLIENT = "LIFTLINE_HTTP_CLIENT";
    public static final String MANAGEMENT_URI = "LIFTLINE_MANAGEMENT_URI";
    public static final String WORKERS = "LIFTLINE_WORKERS";
    /** A switch, {@code --no-backoff}. */
    public static final String NO_BACKOFF = "LIFTLINE_NO_BACKOFF";
    public static final String DEFAULT_HTTP_CLIENT = "netty";
    public static final String NO_IDEMPOTENCY_KEYS = "LIFTLINE_NO_IDEMPOTENCY_KEYS";
    public static final List<String> VARIABLES = List.of(URL, EVENTS, MODE, BATCH_SIZE, PHASE1_THREADS, PHASE1_PER_THREAD,
            THREADS, MAX_RETRIES, REQUEST_TIMEOUT, RUN_ID, VERIFY, MONGODB_URI, MONGODB_DATABASE, VERIFY_TIMEOUT, CSV, HTML,
            PROGRESS, PROGRESS_INTERVAL, RATE, NO_IDEMPOTENCY_KEYS, API_KEY, HTTP_CLIENT, MANAGEMENT_URI, WORKERS, NO_BACKOFF);

    /** Without a management URI, with the default HTTP client. */
    public SimulatorConfig(String url, int events, String mode, int batchSize, int phase1Threads, int phase1PerThread,
                           int threads, int maxRetries, Duration requestTimeout, String runId, boolean verify,
                           String mongodbUri, String mongodbDatabase, Duration verifyTimeout, String csv, String html,
                           boolean progress, Duration progressInterval, double rate, boolean idempotencyKeys, String apiKey) {
        this(url, events, mode, batchSize, phase1Threads, phase1PerThread, threads, maxRetries, requestTimeout, runId, verify,
                mongodbUri, mongodbDatabase, verifyTimeout, csv, html, progress, progressInterval, rate, idempotencyKeys, apiKey,
                DEFAULT_HTTP_CLIENT, null, null, false);
    }

    public SimulatorConfig {
        if (!io.liftline.simulator.http.HttpTransport.NAMES.contains(httpClient)) {
            throw new IllegalArgumentException("httpClient must be one of " + io.liftline.simulator.http.HttpTransport.NAMES
                    + ", was " + httpClient);
        }
        if (events <= 0) {
            throw new IllegalArgumentException("events must be > 0, was " + events);
        }
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, was " + threads);
        }
        if (!mode.equals("upic") && !mode.equals("batch")) {
            throw new IllegalArgumentException("mode must be upic or batch, was " + mode);
        }
        if (batchSize < 1 || batchSize > 1_000) {
            throw new IllegalArgumentException("batchSize must be 1..1000, was " + batchSize);
        }
        if (phase1Threads < 0 || phase1PerThread <= 0) {
            throw new IllegalArgumentException("phase1Threads must be >= 0 and phase1PerThread > 0");
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be > 0, was " + progressInterval);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("rate must be >= 0 rides/s (0: unpaced), was " + rate);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        List<String> urls = new java.util.ArrayList<>();
        for (String one : url.split(",")) {
            one = one.strip();
            if (!one.startsWith("http://") && !one.startsWith("https://")) {
                throw new IllegalArgumentException("url must start with http:// or https://, was " + one);
            }
            urls.add(one.endsWith("/") ? one.substring(0, one.length() - 1) : one);
        }
        url = String.join(",", urls);
    }

    /** The workers' admin base URIs whose lag the report plots (empty: none). */
    public List<java.net.URI> workerUris() {
        return workers == null ? List.of() : java.util.Arrays.stream(workers.split(",")).map(String::strip)
                .filter(w -> !w.isEmpty()).map(java.net.URI::create).toList();
    }

    /** The producers' base URLs. */
    public List<String> urls() {
        return List.of(url.split(","));
    }

    static SimulatorConfig from(ConfigSource source) {
        source.rejectUnknownFlags(VARIABLES);
        return new SimulatorConfig(
                source.get(URL, DEFAULT_URL),
                source.getInt(EVENTS, DEFAULT_EVENTS),
                source.get(MODE, DEFAULT_MODE),
                source.getInt(BATCH_SIZE, DEFAULT_BATCH_SIZE),
                source.getInt(PHASE1_THREADS, DEFAULT_PHASE1_THREADS),
                source.getInt(PHASE1_PER_THREAD, DEFAULT_PHASE1_PER_THREAD),
                source.getInt(THREADS, DEFAULT_THREADS),
                source.getInt(MAX_RETRIES, DEFAULT_MAX_RETRIES),
                source.getDuration(REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT),
                source.get(RUN_ID, "run-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())),
                source.getBoolean(VERIFY, false),
                source.get(MONGODB_URI, "mongodb://127.0.0.1:27017"),
                source.get(MONGODB_DATABASE, "liftline"),
                source.getDuration(VERIFY_TIMEOUT, DEFAULT_VERIFY_TIMEOUT),
                source.get(CSV, null),
                source.get(HTML, null),
                source.getBoolean(PROGRESS, true),
                source.getDuration(PROGRESS_INTERVAL, Duration.ofSeconds(1)),
                Double.parseDouble(source.get(RATE, "0")),
                !source.getBoolean(NO_IDEMPOTENCY_KEYS, false),
                source.get(API_KEY, null),
                source.get(HTTP_CLIENT, DEFAULT_HTTP_CLIENT),
                source.get(MANAGEMENT_URI, null),
                source.get(WORKERS, null),
                source.getBoolean(NO_BACKOFF, false));
    }

    @Override
    public String toString() {
        return "url=" + url + ", events=" + events + ", mode=" + mode
                + (mode.equals("batch") ? ", batchSize=" + batchSize + ", threads=" + threads
                        : ", phase 1: " + phase1Threads + " threads x " + phase1PerThread + ", phase 2: " + threads + " threads")
                + ", maxRetries=" + maxRetries + (noBackoff ? " (no backoff)" : "") + (rate > 0 ? ", rate=" + rate + " rides/s" : "") + (idempotencyKeys ? "" : ", no idempotency keys")
                + (apiKey == null ? "" : ", API key ****") + ", httpClient=" + httpClient
                + (managementUri == null ? "" : ", queue sampled from " + Secrets.maskUri(managementUri))
                + ", runId=" + runId + ", verify=" + verify + (verify ? ", store=" + Secrets.maskUri(mongodbUri) + "/" + mongodbDatabase : "");
    }
}
