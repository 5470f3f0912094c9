package io.liftline.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.config.Secrets;
import io.liftline.model.RideJson;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the ride queues once a second from RabbitMQ's management API during a run: messages ready and unacked,
 * and consumers, summed over {@code lift-rides} and its shards, in the vhost the URI's path names ({@code /} when
 * it names none). The report draws them beside the load, so a backlog or a lost consumer shows where it happened.
 */
final class QueueSampler implements AutoCloseable {

    /** One sample, at a second of the run. */
    record Sample(double second, long ready, long unacked, long consumers) {
    }

    private static final Logger log = LoggerFactory.getLogger(QueueSampler.class);
    private static final Pattern RIDE_QUEUE = Pattern.compile("lift-rides(\\.[0-9]+)?");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI queues;
    private final String authorization;
    private final long startNanos;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile String lastProblem;

    QueueSampler(String managementUri, long startNanos) {
        URI uri = URI.create(managementUri);
        String vhost = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "%2F" : uri.getRawPath().substring(1);
        this.queues = URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 15672 : uri.getPort())
                + "/api/queues/" + vhost + "?columns=" + URLEncoder.encode("name,messages_ready,messages_unacknowledged,consumers",
                StandardCharsets.UTF_8));
        String userInfo = uri.getRawUserInfo() == null ? "guest:guest" : java.net.URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.startNanos = startNanos;
        this.thread = new Thread(this::run, "queue-sampler");
        thread.setDaemon(true);
        thread.start();
        log.info("sampling the ride queues from {}", Secrets.maskUri(managementUri));
    }

    private void run() {
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            sample();
            next += TimeUnit.SECONDS.toNanos(1);
            long wait = next - System.nanoTime();
            try {
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(queues).timeout(Duration.ofSeconds(2))
                    .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                problem("management API answered " + response.statusCode());
                return;
            }
            long ready = 0;
            long unacked = 0;
            long consumers = 0;
            for (JsonNode queue : RideJson.MAPPER.readTree(response.body())) {
                if (RIDE_QUEUE.matcher(queue.path("name").asText()).matches()) {
                    ready += queue.path("messages_ready").asLong();
                    unacked += queue.path("messages_unacknowledged").asLong();
                    consumers += queue.path("consumers").asLong();
                }
            }
            double second = (System.nanoTime() - startNanos) / 1e9;
            synchronized (samples) {
                samples.add(new Sample(second, ready, unacked, consumers));
            }
        } catch (java.io.IOException e) {
            problem(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void problem(String problem) {
        if (lastProblem == null) { // one line, not one a second
            log.warn("cannot sample the ride queues: {}", problem);
        }
        lastProblem = problem;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(5_000);
    }
}
