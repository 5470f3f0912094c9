package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.testing.HttpProbe;
import io.liftline.testing.Poll;
import io.liftline.testing.Ports;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.RepositoryFiles;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer as its scripts run it (a process, 160 MB heap) under attack: 20 clients sending 1 MiB hostile
 * bodies without pause and 600 idle connections, while scanners post as usual.
 */
class HostileClientsIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    private static final Duration ATTACK = Duration.ofSeconds(20);
    private static final int MIB = 1024 * 1024;
    private static final Pattern HEAP =
            Pattern.compile("jvm_memory_(used|max)_bytes\\{area=\"heap\",id=\"[^\"]+\"} ([0-9.E+]+)");

    /** Hostile 1 MiB bodies, each refused while it is read: none may cost the producer a tree of its size. */
    private static final List<IntFunction<String>> BODIES = List.of(
            i -> "[" + "{},".repeat(MIB / 3 - 1) + "{}]", // a third of a million empty rides
            i -> "[{" + fields(MIB / 12) + "}]", // one ride of 87,000 fields
            i -> "[" + "[".repeat(MIB / 2 - 1) + "]".repeat(MIB / 2 - 1) + "]", // nesting half a million deep
            i -> "[{\"eventId\":\"" + "x".repeat(MIB - 20) + "\"}]", // a 1 MiB string
            i -> "[" + "1,".repeat(MIB / 2 - 1) + "1]"); // half a million numbers

    private static String fields(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n && s.length() < MIB - 20; i++) {
            s.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":0");
        }
        return s.toString();
    }

    @TempDir
    Path dir;

    @Test
    void theProducerStaysReadyAndAnswersScannersUnderHostileBodiesAndIdleConnections() throws Exception {
        int port = Ports.free();
        int admin = Ports.free();
        Path log = dir.resolve("producer.log");
        ProcessBuilder builder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xms64m",
                        "-Xmx160m",
                        "-XX:+UseSerialGC",
                        "-XX:MaxDirectMemorySize=64m",
                        "-jar",
                        RepositoryFiles.resolve("producer-api/target/liftline-producer-api.jar")
                                .toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment()
                .putAll(Map.of(
                        "LIFTLINE_AMQP_URI",
                        rabbit.amqpUri(),
                        "LIFTLINE_HTTP_PORT",
                        Integer.toString(port),
                        "LIFTLINE_ADMIN_PORT",
                        Integer.toString(admin)));
        Process producer = builder.start();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Socket> idle = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Poll.waitAtMost(Duration.ofSeconds(60), "the producer ready", () -> status(admin, "/health/ready") == 200);
            for (int i = 0; i < 600; i++) {
                idle.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            Map<Integer, LongAdder> hostileAnswers = new ConcurrentHashMap<>();
            LongAdder hostileFailures = new LongAdder();
            for (int t = 0; t < 20; t++) {
                int attacker = t;
                pool.submit(() -> {
                    for (int i = 0; running.get(); i++) {
                        String body = BODIES.get((attacker + i) % BODIES.size()).apply(i);
                        try {
                            int status = http.send(
                                            request(port, "/rides", body)
                                                    .timeout(Duration.ofSeconds(30))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode();
                            hostileAnswers
                                    .computeIfAbsent(status, s -> new LongAdder())
                                    .increment();
                        } catch (Exception e) {
                            hostileFailures.increment();
                        }
                    }
                    return null;
                });
            }
            LongAdder created = new LongAdder();
            List<String> scannerFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicLong slowest = new AtomicLong();
            for (int t = 0; t < 4; t++) {
                pool.submit(() -> {
                    while (running.get()) {
                        long start = System.nanoTime();
                        try {
                            HttpResponse<String> answer = http.send(
                                    request(
                                                    port,
                                                    "/skiers/3/seasons/2025/days/1/skiers/7",
                                                    "{\"time\": 1, \"liftID\": 1}")
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (answer.statusCode() == 201) {
                                created.increment();
                            } else {
                                scannerFailures.add(answer.statusCode() + " " + answer.body());
                            }
                        } catch (Exception e) {
                            scannerFailures.add(e.toString());
                        }
                        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                    }
                    return null;
                });
            }
            AtomicInteger notReady = new AtomicInteger();
            double heapUsedPeak = 0;
            double heapMax = 0;
            long end = System.nanoTime() + ATTACK.toNanos();
            while (System.nanoTime() < end) {
                if (status(admin, "/health/ready") != 200) {
                    notReady.incrementAndGet();
                }
                double[] heap = heap(http, admin);
                heapUsedPeak = Math.max(heapUsedPeak, heap[0]);
                heapMax = heap[1];
                Thread.sleep(500);
            }
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            String output = Files.readString(log);
            System.out.printf(
                    "hostile answers %s, hostile transport failures %d; scanners: %d created, slowest %d ms;"
                            + " heap peak %.0f of %.0f MB%n",
                    hostileAnswers,
                    hostileFailures.sum(),
                    created.sum(),
                    TimeUnit.NANOSECONDS.toMillis(slowest.get()),
                    heapUsedPeak / MIB,
                    heapMax / MIB);
            assertThat(producer.isAlive()).as("the producer survived").isTrue();
            assertThat(output).doesNotContain("OutOfMemoryError").doesNotContain("Exception");
            assertThat(notReady.get()).as("readiness checks that failed").isZero();
            assertThat(scannerFailures).as("scanners' requests that failed").isEmpty();
            assertThat(created.sum()).as("scanners' rides accepted").isGreaterThan(100);
            assertThat(hostileAnswers.keySet())
                    .as("hostile bodies are client errors, never 5xx")
                    .allMatch(s -> s == 400 || s == 413);
            assertThat(hostileAnswers.values().stream()
                            .mapToLong(LongAdder::sum)
                            .sum())
                    .as("hostile requests answered")
                    .isGreaterThan(100);
            assertThat(heapUsedPeak).isLessThan(heapMax);
        } finally {
            pool.shutdownNow();
            for (Socket socket : idle) {
                socket.close();
            }
            producer.destroy();
            producer.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static HttpRequest.Builder request(int port, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static int status(int port, String path) {
        return HttpProbe.status("http://127.0.0.1:" + port + path, Duration.ofSeconds(2));
    }

    /**
     * Heap used and max, summed over the pools, from the admin port's metrics, with Prometheus's default scrape
     * timeout (10 s): under this attack the machine's two cores are saturated (the attackers run in this JVM), and a
     * tighter bound than any scraper's failed the test once (CI, 2026-12-02) while readiness (2 s) held.
     */
    private static double[] heap(HttpClient http, int port) throws Exception {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double used = 0;
        double max = 0;
        Matcher m = HEAP.matcher(metrics);
        while (m.find()) {
            double value = Double.parseDouble(m.group(2));
            if (m.group(1).equals("used")) {
                used += value;
            } else if (value > 0) {
                max += value;
            }
        }
        return new double[] {used, max};
    }
}
