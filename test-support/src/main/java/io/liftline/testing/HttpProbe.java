package io.liftline.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One GET with a deadline, as tests probe a service: its status, or its body; a service that does not answer is -1. */
public final class HttpProbe {

    /** Each probe's own timeout bounds it; a connect may take as long (a service under attack accepts slowly). */
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpProbe() {}

    /** The status of a GET of {@code uri}, or -1 when nothing answers within {@code timeout}. */
    public static int status(URI uri, Duration timeout) {
        try {
            return get(uri, timeout).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The status of a GET of {@code url}, or -1 when nothing answers within {@code timeout}. */
    public static int status(String url, Duration timeout) {
        return status(URI.create(url), timeout);
    }

    /** The answer to a GET of {@code uri} within {@code timeout}. */
    public static HttpResponse<String> get(URI uri, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }
}
