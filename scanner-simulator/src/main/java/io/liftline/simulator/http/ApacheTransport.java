package io.liftline.simulator.http;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpClient 5, classic (blocking) API over a connection pool: each scanner thread owns a connection while
 * it waits, as a lift scanner does, with no hand-off to another thread per request.
 */
final class ApacheTransport implements HttpTransport {

    private final CloseableHttpClient http;
    /** The last request config, reused while the timeout is the same (it is, for a whole run). */
    private volatile RequestConfig requestConfig = RequestConfig.DEFAULT;

    ApacheTransport(int connections) {
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(connections)
                .setMaxConnPerRoute(connections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofSeconds(5))
                        .build())
                .build();
        http = HttpClients.custom()
                .setConnectionManager(pool)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .build();
    }

    @Override
    public Answer post(String url, Map<String, String> headers, String json, Duration timeout) throws IOException {
        HttpPost post = new HttpPost(URI.create(url));
        RequestConfig config = requestConfig;
        if (!Timeout.of(timeout).equals(config.getResponseTimeout())) {
            config = RequestConfig.custom()
                    .setResponseTimeout(Timeout.of(timeout))
                    .build();
            requestConfig = config;
        }
        post.setConfig(config);
        post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
        headers.forEach(post::setHeader);
        return http.execute(post, response -> {
            Header retryAfter = response.getFirstHeader("Retry-After");
            String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity());
            return new Answer(response.getCode(), body, retryAfter == null ? null : retryAfter.getValue());
        });
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // closing at the end of a run: nothing left to lose
        }
    }
}
