package io.liftline.simulator.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/** Jetty's HttpClient (the server's sibling): non-blocking I/O underneath, a blocking send on top. */
final class JettyTransport implements HttpTransport {

    private final HttpClient http = new HttpClient();

    JettyTransport(int connections) {
        http.setMaxConnectionsPerDestination(connections);
        http.setMaxRequestsQueuedPerDestination(Math.max(1_024, connections * 4));
        http.setConnectTimeout(5_000);
        http.setFollowRedirects(false);
        http.setUserAgentField(null);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("the Jetty HTTP client did not start", e);
        }
    }

    @Override
    public Answer post(String url, Map<String, String> headers, String json, Duration timeout)
            throws IOException, InterruptedException {
        Request request = http.newRequest(url)
                .method(HttpMethod.POST)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .body(new StringRequestContent("application/json", json));
        request.headers(h -> headers.forEach(h::put));
        try {
            ContentResponse response = request.send();
            return new Answer(
                    response.getStatus(),
                    response.getContentAsString(),
                    response.getHeaders().get(HttpHeader.RETRY_AFTER));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms", e);
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // closing at the end of a run: nothing left to lose
        }
    }
}
