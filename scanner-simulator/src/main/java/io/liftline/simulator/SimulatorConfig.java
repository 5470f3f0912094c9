package io.liftline.simulator;

import static io.liftline.runtime.Setting.integer;

import io.liftline.runtime.Checks;
import io.liftline.runtime.CommonSettings;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Setting;
import io.liftline.runtime.Settings;
import io.liftline.runtime.Values;
import io.liftline.simulator.http.HttpTransport;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What one simulator run does. Flags ({@code --events}) or {@code LIFTLINE_*} variables, as for the apps, each
 * declared once ({@link #SETTINGS}); build one in code with {@link #of}.
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
public record SimulatorConfig(
        String url,
        int events,
        String mode,
        int batchSize,
        int phase1Threads,
        int phase1PerThread,
        int threads,
        int maxRetries,
        Duration requestTimeout,
        String runId,
        boolean verify,
        String mongodbUri,
        String mongodbDatabase,
        Duration verifyTimeout,
        String csv,
        String html,
        boolean progress,
        Duration progressInterval,
        double rate,
        boolean idempotencyKeys,
        String apiKey,
        String httpClient,
        String managementUri,
        String workers,
        boolean noBackoff) {

    public static final String DEFAULT_HTTP_CLIENT = "netty";

    private static final Setting.Check<String> HTTP_URLS = urls -> java.util.Arrays.stream(urls.split(","))
                    .map(String::strip)
                    .allMatch(u -> u.startsWith("http://") || u.startsWith("https://"))
            ? null
            : "must be http:// or https:// URLs, comma-separated";

    public static final Setting<SimulatorConfig, String> URL = Setting.text("LIFTLINE_URL", SimulatorConfig::url)
            .byDefault("http://127.0.0.1:8080")
            .check(HTTP_URLS)
            .doc("the producer, or several comma-separated: round-robin, a retry goes to the next");
    public static final Setting<SimulatorConfig, Integer> EVENTS = integer("LIFTLINE_EVENTS", SimulatorConfig::events)
            .byDefault(200_000)
            .check(Checks.POSITIVE)
            .doc("rides to send");
    public static final Setting<SimulatorConfig, String> MODE = Setting.text("LIFTLINE_MODE", SimulatorConfig::mode)
            .byDefault("upic")
            .check(m -> m.equals("upic") || m.equals("batch") ? null : "must be upic or batch")
            .doc("upic: one ride per POST, in two phases; batch: POST /rides");
    public static final Setting<SimulatorConfig, Integer> BATCH_SIZE = integer(
                    "LIFTLINE_BATCH_SIZE", SimulatorConfig::batchSize)
            .byDefault(100)
            .check(n -> n >= 1 && n <= 1_000 ? null : "must be 1..1000")
            .doc("rides per request in batch mode");
    public static final Setting<SimulatorConfig, Integer> PHASE1_THREADS = integer(
                    "LIFTLINE_PHASE1_THREADS", SimulatorConfig::phase1Threads)
            .byDefault(32)
            .check(Checks.NOT_NEGATIVE)
            .doc("Upic phase one: scanners");
    public static final Setting<SimulatorConfig, Integer> PHASE1_PER_THREAD = integer(
                    "LIFTLINE_PHASE1_PER_THREAD", SimulatorConfig::phase1PerThread)
            .byDefault(1_000)
            .check(Checks.POSITIVE)
            .doc("rides per phase-one scanner");
    public static final Setting<SimulatorConfig, Integer> THREADS = integer(
                    "LIFTLINE_THREADS", SimulatorConfig::threads)
            .byDefault(64)
            .check(Checks.POSITIVE)
            .doc("scanners of phase two, or of batch mode");
    public static final Setting<SimulatorConfig, Integer> MAX_RETRIES = integer(
                    "LIFTLINE_MAX_RETRIES", SimulatorConfig::maxRetries)
            .byDefault(5)
            .check(Checks.NOT_NEGATIVE)
            .doc("retries of one request on 5xx, 429 or a network error");
    public static final Setting<SimulatorConfig, Duration> REQUEST_TIMEOUT = Setting.duration(
                    "LIFTLINE_REQUEST_TIMEOUT", SimulatorConfig::requestTimeout)
            .byDefault(Duration.ofSeconds(10))
            .check(Checks.POSITIVE_DURATION)
            .doc("one request's budget; then it counts as failed and is retried");
    public static final Setting<SimulatorConfig, String> RUN_ID = Setting.text(
                    "LIFTLINE_RUN_ID", SimulatorConfig::runId)
            .byDefault(null, "`run-<UTC time>`")
            .check(Checks.NOT_BLANK)
            .doc("prefix of every event id of the run");
    public static final Setting<SimulatorConfig, Boolean> VERIFY = Setting.bool(
                    "LIFTLINE_VERIFY", SimulatorConfig::verify)
            .byDefault(false)
            .doc("after the load, check that every accepted ride is stored exactly once");
    public static final Setting<SimulatorConfig, String> MONGODB_URI =
            CommonSettings.mongodbUri(SimulatorConfig::mongodbUri).doc("the store, for --verify");
    public static final Setting<SimulatorConfig, String> MONGODB_DATABASE =
            CommonSettings.mongodbDatabase(SimulatorConfig::mongodbDatabase).doc("the database, for --verify");
    public static final Setting<SimulatorConfig, Duration> VERIFY_TIMEOUT = Setting.duration(
                    "LIFTLINE_VERIFY_TIMEOUT", SimulatorConfig::verifyTimeout)
            .byDefault(Duration.ofMinutes(3))
            .check(Checks.POSITIVE_DURATION)
            .doc("how long --verify waits for the queue to drain into the store");
    public static final Setting<SimulatorConfig, String> CSV =
            Setting.text("LIFTLINE_CSV", SimulatorConfig::csv).doc("a file for one line per request");
    public static final Setting<SimulatorConfig, String> HTML =
            Setting.text("LIFTLINE_HTML", SimulatorConfig::html).doc("a file for the self-contained HTML report");
    public static final Setting<SimulatorConfig, Boolean> PROGRESS = Setting.bool(
                    "LIFTLINE_PROGRESS", SimulatorConfig::progress)
            .byDefault(true)
            .doc("a progress line every interval: counts, rate, p99");
    public static final Setting<SimulatorConfig, Duration> PROGRESS_INTERVAL = Setting.duration(
                    "LIFTLINE_PROGRESS_INTERVAL", SimulatorConfig::progressInterval)
            .byDefault(Duration.ofSeconds(1))
            .check(Checks.POSITIVE_DURATION)
            .doc("how often the progress line comes");
    public static final Setting<SimulatorConfig, Double> RATE = Setting.number("LIFTLINE_RATE", SimulatorConfig::rate)
            .byDefault(0.0, "unset (unpaced)")
            .check(Checks.NOT_NEGATIVE)
            .doc("rides per second at most; 0 = unpaced");
    /** A switch, {@code --no-idempotency-keys}: as stock Upic clients, the producer assigns the ids. */
    public static final Setting<SimulatorConfig, Boolean> NO_IDEMPOTENCY_KEYS = Setting.bool(
                    "LIFTLINE_NO_IDEMPOTENCY_KEYS", (SimulatorConfig c) -> !c.idempotencyKeys())
            .byDefault(false)
            .doc("send no ride ids (a retry may store a ride twice)");

    public static final Setting<SimulatorConfig, String> API_KEY = Setting.text(
                    "LIFTLINE_API_KEY", SimulatorConfig::apiKey)
            .secret()
            .doc("sent as Authorization: Bearer (prefer the variable to the flag)");
    public static final Setting<SimulatorConfig, String> HTTP_CLIENT = Setting.text(
                    "LIFTLINE_HTTP_CLIENT", SimulatorConfig::httpClient)
            .byDefault(DEFAULT_HTTP_CLIENT)
            .check(c -> HttpTransport.NAMES.contains(c) ? null : "must be one of " + HttpTransport.NAMES)
            .doc("netty: scanners as connections on an event loop; apache, jetty, jdk: a thread per scanner");
    public static final Setting<SimulatorConfig, String> MANAGEMENT_URI = Setting.text(
                    "LIFTLINE_MANAGEMENT_URI", SimulatorConfig::managementUri)
            .doc("RabbitMQ's management API: the report charts the ride queues over the run");
    public static final Setting<SimulatorConfig, String> WORKERS = Setting.text(
                    "LIFTLINE_WORKERS", SimulatorConfig::workers)
            .doc("the workers' admin ports, comma-separated: the report charts freshness over the run");
    /** A switch, {@code --no-backoff}: retry at once, ignoring Retry-After, as a stock Upic client does. */
    public static final Setting<SimulatorConfig, Boolean> NO_BACKOFF = Setting.bool(
                    "LIFTLINE_NO_BACKOFF", SimulatorConfig::noBackoff)
            .byDefault(false)
            .doc("retry at once and ignore Retry-After, as a stock client");

    public static final Settings<SimulatorConfig> SETTINGS = Settings.of(
            URL,
            EVENTS,
            MODE,
            BATCH_SIZE,
            PHASE1_THREADS,
            PHASE1_PER_THREAD,
            THREADS,
            MAX_RETRIES,
            REQUEST_TIMEOUT,
            RUN_ID,
            VERIFY,
            MONGODB_URI,
            MONGODB_DATABASE,
            VERIFY_TIMEOUT,
            CSV,
            HTML,
            PROGRESS,
            PROGRESS_INTERVAL,
            RATE,
            NO_IDEMPOTENCY_KEYS,
            API_KEY,
            HTTP_CLIENT,
            MANAGEMENT_URI,
            WORKERS,
            NO_BACKOFF);

    /** Normalises the producers' URLs (no trailing slash); each value is checked by its declaration. */
    public SimulatorConfig {
        url = String.join(
                ",",
                java.util.Arrays.stream(url.split(","))
                        .map(String::strip)
                        .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                        .toList());
    }

    /** The workers' admin base URIs whose lag the report plots (empty: none). */
    public List<java.net.URI> workerUris() {
        return workers == null
                ? List.of()
                : java.util.Arrays.stream(workers.split(","))
                        .map(String::strip)
                        .filter(w -> !w.isEmpty())
                        .map(java.net.URI::create)
                        .toList();
    }

    /** The producers' base URLs. */
    public List<String> urls() {
        return List.of(url.split(","));
    }

    static SimulatorConfig from(ConfigSource source) {
        SETTINGS.rejectUnknownFlags(source);
        return of(Values.from(source));
    }

    /** The run of these values, its id made from the time when none is given, each checked against its declaration. */
    /**
     * The config of these values ({@link Values#defaults()} with some set, in code), with the defaults that follow from
     * others, each checked against its declaration.
     */
    public static SimulatorConfig of(Values v) {
        String url = URL.requireValid(v.get(URL));
        String runId = v.get(RUN_ID);
        return SETTINGS.check(new SimulatorConfig(
                url,
                v.get(EVENTS),
                v.get(MODE),
                v.get(BATCH_SIZE),
                v.get(PHASE1_THREADS),
                v.get(PHASE1_PER_THREAD),
                v.get(THREADS),
                v.get(MAX_RETRIES),
                v.get(REQUEST_TIMEOUT),
                runId != null
                        ? runId
                        : "run-"
                                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                        .withZone(ZoneOffset.UTC)
                                        .format(Instant.now()),
                v.get(VERIFY),
                v.get(MONGODB_URI),
                v.get(MONGODB_DATABASE),
                v.get(VERIFY_TIMEOUT),
                v.get(CSV),
                v.get(HTML),
                v.get(PROGRESS),
                v.get(PROGRESS_INTERVAL),
                v.get(RATE),
                !v.get(NO_IDEMPOTENCY_KEYS),
                v.get(API_KEY),
                v.get(HTTP_CLIENT),
                v.get(MANAGEMENT_URI),
                v.get(WORKERS),
                v.get(NO_BACKOFF)));
    }

    @Override
    public String toString() {
        return SETTINGS.describe("SimulatorConfig", this);
    }
}
