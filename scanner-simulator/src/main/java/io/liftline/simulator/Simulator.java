package io.liftline.simulator;

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
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
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

    /** One HTTP request: the rides it carries, where it goes and what it says. */
    record Request(List<String> eventIds, String path, String body) {
    }

    private static final Logger log = LoggerFactory.getLogger(Simulator.class);
    private static final Request END = new Request(List.of(), "", "");
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final int MAX_LOGGED_FAILURES = 5;

    private final SimulatorConfig config;
    private final HttpClient http;
    private final long startNanos = System.nanoTime();
    private final LoadStats stats = new LoadStats(startNanos);
    private final Queue<String> accepted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger loggedFailures = new AtomicInteger();
    private BufferedWriter csv;

    Simulator(SimulatorConfig config) {
        this.config = config;
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

    /** Ids of the rides the producer answered 201 for. */
    List<String> acceptedIds() {
        return List.copyOf(accepted);
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
            for (int i = 0; i < config.events(); i += perRequest) {
                int n = Math.min(perRequest, config.events() - i);
                requests.put(perRequest == 1 ? single(config.runId() + "-" + i) : batch(config.runId(), i, n));
            }
            for (int i = 0; i < scanners; i++) {
                requests.put(END);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Upic single POST with random ids in the Upic ranges: resort 1..10, season 2025, day 1, skier 1..100000. */
    static Request single(String eventId) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String path = "/skiers/" + random.nextInt(1, 11) + "/seasons/2025/days/1/skiers/" + random.nextInt(1, 100_001);
        String body = "{\"time\":" + random.nextInt(1, 361) + ",\"liftID\":" + random.nextInt(1, 41) + "}";
        return new Request(List.of(eventId), path, body);
    }

    /** A POST /rides with n rides whose ids are runId-from .. runId-(from+n-1). */
    static Request batch(String runId, int from, int n) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String> ids = new ArrayList<>(n);
        StringBuilder body = new StringBuilder(n * 110).append('[');
        for (int i = 0; i < n; i++) {
            String id = runId + "-" + (from + i);
            ids.add(id);
            body.append(i == 0 ? "" : ",").append("{\"eventId\":\"").append(id).append("\",\"resortID\":")
                    .append(random.nextInt(1, 11)).append(",\"seasonID\":\"2025\",\"dayID\":1,\"skierID\":")
                    .append(random.nextInt(1, 100_001)).append(",\"time\":").append(random.nextInt(1, 361))
                    .append(",\"liftID\":").append(random.nextInt(1, 41)).append('}');
        }
        return new Request(ids, "/rides", body.append(']').toString());
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

    private void send(Request ride) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(config.url() + ride.path()))
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ride.body()));
        if (ride.eventIds().size() == 1 && !ride.path().equals("/rides")) {
            builder.header("Idempotency-Key", ride.eventIds().get(0));
        }
        HttpRequest request = builder.build();
        int rides = ride.eventIds().size();
        String lastProblem = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
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
                    accepted.addAll(ride.eventIds());
                    return;
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
            log.warn("request for {} failed after retries: {}", ride.eventIds().get(0), lastProblem);
        }
    }

    private void record(long startNanos, Request ride, int attempt, String status, long nanos) {
        if (csv == null) {
            return;
        }
        String line = String.format(java.util.Locale.ROOT, "%d,%s,%d,%d,%s,%.3f%n", (startNanos - this.startNanos) / 1_000_000,
                ride.eventIds().get(0), ride.eventIds().size(), attempt, status, nanos / 1e6);
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
            try {
                while (true) {
                    Thread.sleep(1_000);
                    long ok = stats.okCount();
                    System.out.println(String.format(java.util.Locale.ROOT,
                            "[%4ds] sent %d requests, ok %d, failed %d, retries %d, %d rides/s, p99 %.1f ms",
                            (System.nanoTime() - startNanos) / 1_000_000_000L, stats.requestCount(), ok, stats.failedCount(),
                            stats.retryCount(),
                            ok - lastOk, stats.histogram().getValueAtPercentile(99) / 1000.0));
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
