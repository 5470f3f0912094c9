package io.liftline.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.model.RideJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lift scanners against a producer. One thread generates requests into a bounded queue; scanner threads POST
 * them, retrying 5xx, 429 and network errors with backoff that honours Retry-After (a 4xx is a failure, never
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
    private static final Request END = new Request(0, 0, List.of(), "", "");
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final int MAX_LOGGED_FAILURES = 5;

    private final SimulatorConfig config;
    private final HttpClient http;
    private final long startNanos = System.nanoTime();
    private final LoadStats stats = new LoadStats(startNanos);
    private final RunRides run;
    /** Event id of every ride the producer answered 201 for, with the ride's n. */
    private final Map<String, Integer> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger loggedFailures = new AtomicInteger();
    private final List<String> urls;
    private final AtomicInteger nextUrl = new AtomicInteger();
    private BufferedWriter csv;

    Simulator(SimulatorConfig config) {
        this.config = config;
        this.run = new RunRides(config.runId());
        this.urls = config.urls();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
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
        BlockingQueue<Request> requests = new ArrayBlockingQueue<>(1_000 + phase1 + config.threads());
        Thread generator = new Thread(() -> generate(requests, phase1 + config.threads()), "generator");
        generator.start();
        Thread progress = config.progress() ? startProgress() : null;

        List<Thread> scanners = new ArrayList<>();
        CountDownLatch firstPhaseOneDone = new CountDownLatch(phase1 == 0 ? 0 : 1);
        for (int i = 0; i < phase1; i++) {
            scanners.add(start("scanner-1-" + i, () -> {
                scan(requests, config.phase1PerThread());
                firstPhaseOneDone.countDown();
            }));
        }
        firstPhaseOneDone.await();
        for (int i = 0; i < config.threads(); i++) {
            scanners.add(start("scanner-2-" + i, () -> scan(requests, Integer.MAX_VALUE)));
        }
        for (Thread scanner : scanners) {
            scanner.join();
        }
        generator.interrupt(); // it may still be offering end markers nobody needs
        if (progress != null) {
            progress.interrupt();
        }
        if (csv != null) {
            synchronized (this) {
                csv.close();
            }
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private void generate(BlockingQueue<Request> requests, int scanners) {
        try {
            int perRequest = config.mode().equals("batch") ? config.batchSize() : 1;
            long start = System.nanoTime();
            for (int i = 0; i < config.events(); i += perRequest) {
                int n = Math.min(perRequest, config.events() - i);
                if (config.rate() > 0) { // paced: ride i leaves no earlier than i / rate seconds into the run
                    long due = start + (long) (i * 1e9 / config.rate());
                    long early = due - System.nanoTime();
                    if (early > 0) {
                        Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
                    }
                }
                String keyedRun = config.idempotencyKeys() ? config.runId() : null;
                requests.put(perRequest == 1 ? single(run, keyedRun == null ? null : keyedRun + "-" + i, i)
                        : batch(run, keyedRun, i, n));
            }
            for (int i = 0; i < scanners; i++) {
                requests.put(END);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A Upic single POST of ride n of the run (Upic ranges, season 2025, day 1), with the idempotency key
     * {@code runId-n}, or with none, as stock Upic clients send it, when {@code eventId} is null.
     */
    static Request single(RunRides run, String eventId, int n) {
        RunRides.Ride ride = run.ride(n);
        String path = "/skiers/" + ride.resortId() + "/seasons/" + RunRides.SEASON + "/days/" + RunRides.DAY + "/skiers/"
                + ride.skierId();
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
            body.append("\"resortID\":").append(ride.resortId()).append(",\"seasonID\":\"").append(RunRides.SEASON)
                    .append("\",\"dayID\":").append(RunRides.DAY).append(",\"skierID\":").append(ride.skierId())
                    .append(",\"time\":").append(ride.time()).append(",\"liftID\":").append(ride.liftId()).append('}');
        }
        return new Request(from, count, ids, "/rides", body.append(']').toString());
    }

    private void scan(BlockingQueue<Request> requests, int quota) {
        try {
            for (int sent = 0; sent < quota; sent++) {
                Request request = requests.take();
                if (request == END) {
                    return;
                }
                send(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest request(Request ride, String url) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + ride.path()))
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ride.body()));
        if (ride.eventIds() != null && !ride.path().equals("/rides")) {
            builder.header("Idempotency-Key", ride.eventIds().get(0));
        }
        if (config.apiKey() != null) {
            builder.header("Authorization", "Bearer " + config.apiKey());
        }
        return builder.build();
    }

    private void send(Request ride) throws InterruptedException {
        int first = Math.floorMod(nextUrl.getAndIncrement(), urls.size());
        int rides = ride.count();
        String lastProblem = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            // each retry goes to the next producer: a dead one is failed over, a refusing one is spared
            HttpRequest request = request(ride, urls.get((first + attempt) % urls.size()));
            if (attempt > 0) {
                stats.retried();
            }
            long start = System.nanoTime();
            Duration wait;
            String status;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long now = System.nanoTime();
                stats.latency(now - start);
                int code = response.statusCode();
                status = Integer.toString(code);
                record(start, ride, attempt, status, now - start);
                if (code == 201) {
                    stats.ok(rides, now);
                    List<String> ids = ride.eventIds() != null ? ride.eventIds() : assignedIds(response.body());
                    for (int i = 0; i < ids.size(); i++) {
                        accepted.put(ids.get(i), ride.first() + i);
                    }
                    return;
                }
                if (code == 503) {
                    stats.unavailable();
                }
                lastProblem = code + " " + response.body();
                if (code < 500 && code != 429) {
                    break; // the request itself is wrong: a retry cannot help
                }
                wait = retryAfter(response).orElse(backoff(attempt));
            } catch (IOException e) {
                long now = System.nanoTime();
                stats.latency(now - start);
                record(start, ride, attempt, "error:" + e.getClass().getSimpleName(), now - start);
                lastProblem = e.toString();
                wait = backoff(attempt);
            }
            if (attempt < config.maxRetries()) {
                Thread.sleep(wait.toMillis());
            }
        }
        stats.failed(rides);
        if (loggedFailures.incrementAndGet() <= MAX_LOGGED_FAILURES) {
            log.warn("request for {} failed after retries: {}", ride.label(), lastProblem);
        }
    }

    private void record(long startNanos, Request ride, int attempt, String status, long nanos) {
        if (csv == null) {
            return;
        }
        String line = String.format(java.util.Locale.ROOT, "%d,%s,%d,%d,%s,%.3f%n", (startNanos - this.startNanos) / 1_000_000,
                ride.label(), ride.count(), attempt, status, nanos / 1e6);
        synchronized (this) {
            try {
                csv.write(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Thread startProgress() {
        Thread t = new Thread(() -> {
            long lastOk = 0;
            long interval = config.progressInterval().toMillis();
            try {
                while (true) {
                    Thread.sleep(interval);
                    long ok = stats.okCount();
                    System.out.println(String.format(java.util.Locale.ROOT,
                            "[%4ds] sent %d requests, ok %d, failed %d, retries %d, %.0f rides/s, p99 %.1f ms",
                            (System.nanoTime() - startNanos) / 1_000_000_000L, stats.requestCount(), ok, stats.failedCount(),
                            stats.retryCount(), (ok - lastOk) * 1000.0 / interval,
                            stats.sinceLastCall().getValueAtPercentile(99) / 1000.0));
                    lastOk = ok;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "progress");
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

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
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
