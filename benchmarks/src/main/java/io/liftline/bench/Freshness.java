package io.liftline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Freshness PRODUCER_URL QUERY_URL SAMPLES DAY}: how soon a ride is in the read API's answers after its 201.
 * Each sample posts one ride for a skier of its own (resort 3, season 2025, day DAY) and polls that skier's vertical
 * every 10 ms until it shows the ride. Prints p50, p99 and max in ms, and how many were not there within 60 s (those
 * count as 60 s).
 */
public final class Freshness {

    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    private Freshness() {}

    public static void main(String[] args) throws Exception {
        String producer = args[0];
        String query = args[1];
        int samples = Integer.parseInt(args[2]);
        int day = Integer.parseInt(args[3]);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Long> millis = new ArrayList<>();
        int late = 0;
        long run = System.currentTimeMillis() % 100_000;
        for (int i = 0; i < samples; i++) {
            int skier = (int) ((run * 97 + i) % 100_000) + 1;
            String path = "/skiers/3/seasons/2025/days/" + day + "/skiers/" + skier;
            HttpResponse<String> posted = http.send(
                    HttpRequest.newBuilder(URI.create(producer + path))
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", "fresh-" + run + "-" + i)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"time\": 100, \"liftID\": 7}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (posted.statusCode() != 201) {
                throw new IllegalStateException("POST answered " + posted.statusCode() + ": " + posted.body());
            }
            long accepted = System.nanoTime();
            HttpRequest get =
                    HttpRequest.newBuilder(URI.create(query + path)).GET().build();
            while (System.nanoTime() - accepted < GIVE_UP.toNanos()) {
                HttpResponse<String> answer = http.send(get, HttpResponse.BodyHandlers.ofString());
                // The skier has no other ride that day: any vertical at all is this ride.
                if (answer.statusCode() == 200 && Long.parseLong(answer.body().strip()) > 0) {
                    millis.add((System.nanoTime() - accepted) / 1_000_000);
                    break;
                }
                Thread.sleep(10);
            }
            if (millis.size() <= i) {
                late++;
                millis.add(GIVE_UP.toMillis());
            }
        }
        millis.sort(null);
        System.out.printf(
                "FRESHNESS samples=%d p50_ms=%d p99_ms=%d max_ms=%d later_than_60s=%d%n",
                samples,
                millis.get(millis.size() / 2),
                millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * 0.99) - 1)),
                millis.get(millis.size() - 1),
                late);
    }
}
