package io.liftline.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.model.RideJson;
import io.liftline.simulator.http.HttpTransport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lift scanners against a producer. Each scanner thread claims the next rides of the run (a shared counter, no
 * queue between threads), builds their request and POSTs it, retrying 5xx, 429 and network errors with backoff that honours Retry-After (a 4xx is a failure, never
 * retried). Upic mode sends one ride per POST in two phases (32 threads x 1,000 rides, then the rest over more
 * threads once the first phase-one thread is done); batch mode POSTs {@code /rides} with N rides each.
 * Every ride's id is the run id plus a sequence number, so a retry never stores twice and the run can be verified.
 */
final class Simulator {

    /**
     * One HTTP request: rides {@code first .. first+count-1} of the run, their ids (null when the producer assigns
     * them), where it goes and what it says.
     */
    record Request(int first, int count, List<String> eventIds, String path, String body) {
        String label() {
            return eventIds == null ? "n" + first : eventIds.get(0);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Simulator.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final int MAX_LOGGED_FAILURES = 5;

    private final SimulatorConfig config;
    private final HttpTransport http;
    private final long startNanos = System.nanoTime();
    private final LoadStats stats = new LoadStats(startNanos);
    private final RunRides run;
    /** Event id of every ride the producer answered 201 for, with the ride's n. */
    private final Map<String, Integer> accepted = new ConcurrentHashMap<>();

    private final AtomicInteger loggedFailures = new AtomicInteger();
    private final List<String> urls;
    private final AtomicInteger nextUrl = new AtomicInteger();
    /** The first ride no scanner has claimed yet. */
    private final AtomicInteger nextRide = new AtomicInteger();

    private BufferedWriter csv;

    Simulator(SimulatorConfig config) {
        this.config = config;
        this.run = new RunRides(config.runId());
        this.urls = config.urls();
        // netty runs its own engine (NettyScanners): scanners as connections on an event loop, not threads
        this.http = config.httpClient().equals("netty")
                ? null
                : HttpTransport.create(config.httpClient(), config.phase1Threads() + config.threads());
    }

    LoadStats stats() {
        return stats;
    }

    long startNanos() {
        return startNanos;
    }

    /** The rides the producer answered 201 for: event id to the ride's n. */
    Map<String, Integer> accepted() {
        return Map.copyOf(accepted);
    }

    RunRides rides() {
        return run;
    }

    /** Sends every ride; returns when all are answered (or have failed after their retries). */
    void run() throws InterruptedException, IOException {
        if (config.csv() != null) {
            Path file = Path.of(config.csv()).toAbsolutePath();
            Files.createDirectories(file.getParent());
            csv = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            csv.write("start_ms,event_id,rides,attempt,status,latency_ms\n");
        }
        boolean upic = config.mode().equals("upic");
        int phase1 = upic ? config.phase1Threads() : 0;
        Thread progress = config.progress() ? startProgress() : null;
        if (http == null) {
            NettyScanners.run(this, config, phase1);
        } else {
            scanThreads(phase1);
        }
        if (progress != null) {
            progress.interrupt();
        }
        if (csv != null) {
            synchronized (this) {
                csv.close();
            }
        }
        if (http != null) {
            http.close();
        }
    }

    /** The blocking clients' scanners: a thread each, one request at a time, as a lift scanner. */
    private void scanThreads(int phase1) throws InterruptedException {
        List<Thread> scanners = new ArrayList<>();
        CountDownLatch firstPhaseOneDone = new CountDownLatch(phase1 == 0 ? 0 : 1);
        for (int i = 0; i < phase1; i++) {
            scanners.add(start("scanner-1-" + i, () -> {
                scan(config.phase1PerThread());
                firstPhaseOneDone.countDown();
            }));
        }
        firstPhaseOneDone.await();
        for (int i = 0; i < config.threads(); i++) {
            scanners.add(start("scanner-2-" + i, () -> scan(Integer.MAX_VALUE)));
        }
        for (Thread scanner : scanners) {
            scanner.join();
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    /** The next request of the run (its rides, {@code first .. first+count-1}), or null when every ride is claimed. */
    Request claim() {
        int perRequest = config.mode().equals("batch") ? config.batchSize() : 1;
        int i = nextRide.getAndAdd(perRequest);
        if (i >= config.events()) {
            return null;
        }
        int n = Math.min(perRequest, config.events() - i);
        String keyedRun = config.idempotencyKeys() ? config.runId() : null;
        return perRequest == 1
                ? single(run, keyedRun == null ? null : keyedRun + "-" + i, i)
                : batch(run, keyedRun, i, n);
    }

    /** Paced (--rate), when the request may leave: its first ride's share of the run; unpaced, at once (0). */
    long dueNanos(Request request) {
        return config.rate() > 0 ? startNanos + (long) (request.first() * 1e9 / config.rate()) : 0;
    }

    private Request next() throws InterruptedException {
        Request request = claim();
        if (request != null) {
            long early = dueNanos(request) - System.nanoTime();
            if (early > 0) {
                Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
            }
        }
        return request;
    }

    /**
     * A Upic single POST of ride n of the run (Upic ranges, season 2025, day 1), with the idempotency key
     * {@code runId-n}, or with none, as stock Upic clients send it, when {@code eventId} is null.
     */
    static Request single(RunRides run, String eventId, int n) {
        RunRides.Ride ride = run.ride(n);
        String path = "/skiers/" + ride.resortId() + "/seasons/" + RunRides.SEASON + "/days/" + RunRides.DAY
                + "/skiers/" + ride.skierId();
        String body = "{\"time\":" + ride.time() + ",\"liftID\":" + ride.liftId() + "}";
        return new Request(n, 1, eventId == null ? null : List.of(eventId), path, body);
    }

    /** A POST /rides of rides from .. from+count-1, with ids runId-n (or, unkeyed, none: the producer assigns them). */
    static Request batch(RunRides run, String runId, int from, int count) {
        List<String> ids = runId == null ? null : new ArrayList<>(count);
        StringBuilder body = new StringBuilder(count * 110).append('[');
        for (int i = 0; i < count; i++) {
            RunRides.Ride ride = run.ride(from + i);
            body.append(i == 0 ? "{" : ",{");
            if (ids != null) {
                String id = runId + "-" + (from + i);
                ids.add(id);
                body.append("\"eventId\":\"").append(id).append("\",");
            }
            body.append("\"resortID\":")
                    .append(ride.resortId())
                    .append(",\"seasonID\":\"")
                    .append(RunRides.SEASON)
                    .append("\",\"dayID\":")
                    .append(RunRides.DAY)
                    .append(",\"skierID\":")
                    .append(ride.skierId())
                    .append(",\"time\":")
                    .append(ride.time())
                    .append(",\"liftID\":")
                    .append(ride.liftId())
                    .append('}');
        }
        return new Request(from, count, ids, "/rides", body.append(']').toString());
    }

    private void scan(int quota) {
        try {
            for (int sent = 0; sent < quota; sent++) {
                Request request = next();
                if (request == null) {
                    return;
                }
                send(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Map<String, String> headers(Request ride) {
        boolean keyed = ride.eventIds() != null && !ride.path().equals("/rides");
        if (config.apiKey() == null) {
            return keyed ? Map.of("Idempotency-Key", ride.eventIds().get(0)) : Map.of();
        }
        String bearer = "Bearer " + config.apiKey();
        return keyed
                ? Map.of("Idempotency-Key", ride.eventIds().get(0), "Authorization", bearer)
                : Map.of("Authorization", bearer);
    }

    private void send(Request ride) throws InterruptedException {
        int first = firstUrl();
        for (int attempt = 0; ; attempt++) {
            // each retry goes to the next producer: a dead one is failed over, a refusing one is spared
            String url = url(first, attempt) + ride.path();
            if (attempt > 0) {
                stats.retried();
            }
            long start = System.nanoTime();
            Duration wait;
            try {
                HttpTransport.Answer answer = http.post(url, headers(ride), ride.body(), config.requestTimeout());
                wait = answered(ride, attempt, start, System.nanoTime(), answer);
            } catch (IOException e) {
                wait = attemptFailed(ride, attempt, start, System.nanoTime(), e);
            }
            if (wait == null) {
                return;
            }
            Thread.sleep(wait.toMillis());
        }
    }

    /** The producer a request goes to first (round robin over the URLs). */
    int firstUrl() {
        return Math.floorMod(nextUrl.getAndIncrement(), urls.size());
    }

    String url(int first, int attempt) {
        return urls.get((first + attempt) % urls.size());
    }

    /**
     * Records an attempt's answer; returns how long to wait before retrying, or null when the request is done: stored
     * (201), refused for good (a 4xx other than 429), or out of retries.
     */
    Duration answered(Request ride, int attempt, long start, long now, HttpTransport.Answer answer) {
        stats.latency(now - start, now);
        int code = answer.status();
        record(start, ride, attempt, Integer.toString(code), now - start);
        if (code == 201) {
            stats.ok(ride.count(), now);
            try {
                List<String> ids = ride.eventIds() != null ? ride.eventIds() : assignedIds(answer.body());
                for (int i = 0; i < ids.size(); i++) {
                    accepted.put(ids.get(i), ride.first() + i);
                }
            } catch (IOException e) {
                log.warn("a 201 for {} without readable ids: {}", ride.label(), e.toString());
            }
            return null;
        }
        if (code == 503) {
            stats.unavailable(now);
        }
        String problem = code + " " + answer.body();
        if (code < 500 && code != 429) {
            return gaveUp(ride, problem); // the request itself is wrong: a retry cannot help
        }
        if (attempt >= config.maxRetries()) {
            return gaveUp(ride, problem);
        }
        return config.noBackoff() ? Duration.ZERO : retryAfter(answer).orElse(backoff(attempt));
    }

    /** Records an attempt that got no answer (connection refused or lost, timeout); as {@link #answered}. */
    Duration attemptFailed(Request ride, int attempt, long start, long now, Exception e) {
        stats.latency(now - start, now);
        record(start, ride, attempt, "error:" + e.getClass().getSimpleName(), now - start);
        if (attempt >= config.maxRetries()) {
            return gaveUp(ride, e.toString());
        }
        return config.noBackoff() ? Duration.ZERO : backoff(attempt);
    }

    private Duration gaveUp(Request ride, String problem) {
        stats.failed(ride.count());
        if (loggedFailures.incrementAndGet() <= MAX_LOGGED_FAILURES) {
            log.warn("request for {} failed after retries: {}", ride.label(), problem);
        }
        return null;
    }

    private void record(long startNanos, Request ride, int attempt, String status, long nanos) {
        if (csv == null) {
            return;
        }
        String line = String.format(
                java.util.Locale.ROOT,
                "%d,%s,%d,%d,%s,%.3f%n",
                (startNanos - this.startNanos) / 1_000_000,
                ride.label(),
                ride.count(),
                attempt,
                status,
                nanos / 1e6);
        synchronized (this) {
            try {
                csv.write(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Thread startProgress() {
        Thread t = new Thread(
                () -> {
                    long lastOk = 0;
                    long interval = config.progressInterval().toMillis();
                    try {
                        while (true) {
                            Thread.sleep(interval);
                            long ok = stats.okCount();
                            System.out.println(String.format(
                                    java.util.Locale.ROOT,
                                    "[%4ds] sent %d requests, ok %d, failed %d, retries %d, %.0f rides/s, p99 %.1f ms",
                                    (System.nanoTime() - startNanos) / 1_000_000_000L,
                                    stats.requestCount(),
                                    ok,
                                    stats.failedCount(),
                                    stats.retryCount(),
                                    (ok - lastOk) * 1000.0 / interval,
                                    stats.sinceLastCall().getValueAtPercentile(99) / 1000.0));
                            lastOk = ok;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The ids the producer assigned: {@code {"eventId": ...}} for a single POST, {@code {"eventIds": [...]}} for a batch. */
    private static List<String> assignedIds(String body) throws IOException {
        JsonNode answer = RideJson.MAPPER.readTree(body);
        if (answer.has("eventId")) {
            return List.of(answer.get("eventId").asText());
        }
        List<String> ids = new ArrayList<>();
        answer.path("eventIds").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    private static Optional<Duration> retryAfter(HttpTransport.Answer response) {
        return Optional.ofNullable(response.retryAfter()).flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.min(30, Long.parseLong(v.strip()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static Duration backoff(int attempt) {
        long millis = FIRST_BACKOFF.toMillis() << Math.min(attempt, 6);
        return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }
}
