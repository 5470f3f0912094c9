package io.liftline.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lift scanners against a producer: one thread generates rides into a bounded queue, N scanner threads POST
 * them (Upic path, Idempotency-Key = run id + sequence), retrying 5xx, 429 and network errors with backoff
 * that honours Retry-After; a 4xx is a failure, never retried.
 */
final class Simulator {

    /** One ride as a scanner sends it. */
    record Ride(String eventId, String path, String body) {
    }

    private static final Logger log = LoggerFactory.getLogger(Simulator.class);
    private static final Ride END = new Ride("", "", "");
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final int MAX_LOGGED_FAILURES = 5;

    private final SimulatorConfig config;
    private final HttpClient http;
    private final LoadStats stats = new LoadStats();
    private final Queue<String> accepted = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger loggedFailures = new java.util.concurrent.atomic.AtomicInteger();

    Simulator(SimulatorConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "http-client");
                    t.setDaemon(true);
                    return t;
                }))
                .build();
    }

    LoadStats stats() {
        return stats;
    }

    /** Ids of the rides the producer answered 201 for. */
    List<String> acceptedIds() {
        return List.copyOf(accepted);
    }

    /** Sends every ride; returns when all are answered (or have failed after their retries). */
    void run() throws InterruptedException {
        BlockingQueue<Ride> rides = new ArrayBlockingQueue<>(Math.max(1_000, config.threads() * 4));
        Thread generator = new Thread(() -> generate(rides), "generator");
        generator.start();
        ExecutorService scanners = Executors.newFixedThreadPool(config.threads());
        for (int i = 0; i < config.threads(); i++) {
            scanners.execute(() -> scan(rides));
        }
        generator.join();
        scanners.shutdown();
        while (!scanners.awaitTermination(1, TimeUnit.HOURS)) {
            Thread.onSpinWait();
        }
    }

    private void generate(BlockingQueue<Ride> rides) {
        try {
            for (int i = 0; i < config.events(); i++) {
                rides.put(randomRide(config.runId() + "-" + i));
            }
            for (int i = 0; i < config.threads(); i++) {
                rides.put(END);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Random ids in the Upic ranges: resort 1..10, season 2025, day 1, skier 1..100000, time 1..360, lift 1..40. */
    static Ride randomRide(String eventId) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String path = "/skiers/" + random.nextInt(1, 11) + "/seasons/2025/days/1/skiers/" + random.nextInt(1, 100_001);
        String body = "{\"time\":" + random.nextInt(1, 361) + ",\"liftID\":" + random.nextInt(1, 41) + "}";
        return new Ride(eventId, path, body);
    }

    private void scan(BlockingQueue<Ride> rides) {
        try {
            for (Ride ride = rides.take(); ride != END; ride = rides.take()) {
                send(ride);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(Ride ride) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.url() + ride.path()))
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", ride.eventId())
                .POST(HttpRequest.BodyPublishers.ofString(ride.body()))
                .build();
        String lastProblem = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (attempt > 0) {
                stats.retried();
            }
            long start = System.nanoTime();
            Duration wait;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                stats.latency(System.nanoTime() - start);
                int status = response.statusCode();
                if (status == 201) {
                    stats.ok();
                    accepted.add(ride.eventId());
                    return;
                }
                lastProblem = status + " " + response.body();
                if (status < 500 && status != 429) {
                    break; // the request itself is wrong: a retry cannot help
                }
                wait = retryAfter(response).orElse(backoff(attempt));
            } catch (IOException e) {
                stats.latency(System.nanoTime() - start);
                lastProblem = e.toString();
                wait = backoff(attempt);
            }
            if (attempt < config.maxRetries()) {
                Thread.sleep(wait.toMillis());
            }
        }
        stats.failed();
        if (loggedFailures.incrementAndGet() <= MAX_LOGGED_FAILURES) {
            log.warn("ride {} failed: {}", ride.eventId(), lastProblem);
        }
    }

    private static java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Math.min(30, Long.parseLong(v.strip()))));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }

    private static Duration backoff(int attempt) {
        long millis = FIRST_BACKOFF.toMillis() << Math.min(attempt, 6);
        return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }
}
