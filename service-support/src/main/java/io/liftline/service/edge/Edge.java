package io.liftline.service.edge;

import io.liftline.service.Connectors;
import io.liftline.service.Routes;
import io.liftline.service.ServiceMetrics;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public edge both services share, built once: the public connectors (plain HTTP, HTTPS, or both) with their
 * bounds (connections, header size, idle timeout), the admin port apart, and in front of the service's own handler
 * the chain of {@link #chain}.
 */
public final class Edge {

    /** The plain HTTP connector's name. */
    public static final String PLAIN = "http";
    /** The HTTPS connector's name. */
    public static final String TLS = "https";

    /** The idle timeout of the public connections while their number is at the limit: idle ones make room. */
    static final long LIMITED_IDLE_TIMEOUT_MS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(Edge.class);

    private Edge() {}

    /** What the chain needs: the keys (or null, open), the scope its service asks, the limit and what it counts. */
    public record Guard(ApiKeys keys, ApiKeys.Scope scope, RateLimits limits, RateLimiting.Charge charge) {}

    /**
     * The guard a service's settings ask for: the keys file read (a line it cannot read fails the start) and the
     * rate limit, with warnings for what an operator should know (open, keys over cleartext).
     */
    public static Guard guard(EdgeSettings settings, ApiKeys.Scope scope, RateLimiting.Charge charge, String service)
            throws IOException {
        ApiKeys keys = null;
        if (settings.apiKeysFile() != null) {
            keys = ApiKeys.load(settings.apiKeysFile());
            log.info("{} asks for API keys with the {} scope: {}", service, scope.word(), keys);
            if (settings.httpPort() != -1) {
                log.warn(
                        "API keys are on and the plain HTTP port {} is open: keys sent there travel in cleartext",
                        settings.httpPort());
            }
        } else {
            log.warn(
                    "no {}: anyone who reaches the {} may {}",
                    EdgeSettings.API_KEYS_FILE,
                    service,
                    scope == ApiKeys.Scope.INGEST ? "post rides for any resort" : "read every resort's rides");
        }
        if (settings.adminPort() == -1) {
            log.warn(
                    "{} is -1: no /health and no /metrics, so nothing can tell whether the {} works",
                    EdgeSettings.ADMIN_PORT,
                    service);
        }
        RateLimits limits =
                settings.rateLimit() > 0 ? new RateLimits(settings.rateLimit(), settings.rateLimitBurst()) : null;
        return new Guard(keys, scope, limits, charge);
    }

    /**
     * The service's handler behind the edge, link by link: its route matched and every answer measured
     * ({@link Routes#front}), its key checked ({@link Authentication}), its client's rate ({@link RateLimiting}), and
     * its body read ({@link Bodies}).
     *
     * @param bodyLimit the most bytes of a request's body ({@link Bodies#IGNORED} for a request the service reads
     *     none of); null for an API that reads no bodies at all
     */
    public static <R> Handler chain(
            Guard guard, Routes<R> routes, ServiceMetrics metrics, ToIntFunction<Request> bodyLimit, Handler service) {
        Handler next = bodyLimit == null ? service : new Bodies(bodyLimit, service);
        next = guard.limits() == null ? next : new RateLimiting(guard.limits(), guard.charge(), next);
        next = guard.keys() == null ? next : new Authentication(guard.keys(), guard.scope(), next);
        return routes.front(metrics, next);
    }

    /** The client a request's key authenticated, or null when the service is open. */
    public static ApiKeys.Client client(Request request) {
        return (ApiKeys.Client) request.getAttribute(Authentication.CLIENT);
    }

    /** What the rate limit counts a request as: its client's name with keys, else its address (behind a proxy, the proxy's). */
    public static String rateKey(Request request) {
        ApiKeys.Client client = client(request);
        return client != null ? client.name() : Request.getRemoteAddr(request);
    }

    /** A rate as people say it: 1, 2.5. */
    static String number(double rate) {
        return BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
    }

    /**
     * A Jetty server with {@code api} on the public connectors and health and metrics on the admin connector:
     * graceful stop, JSON errors, no server version or date header, and the bounds a public edge needs.
     *
     * @param admin served on the admin port; ignored when that port is off
     */
    public static Server server(EdgeSettings settings, Handler api, Handler admin) {
        Server server = Connectors.newServer();
        HttpConfiguration http = Connectors.http();
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(EdgeSettings.MAX_REQUEST_HEADER_BYTES);
        List<Connector> publicConnectors = new ArrayList<>();
        if (settings.httpPort() != -1) {
            publicConnectors.add(Connectors.named(
                    server,
                    PLAIN,
                    settings.bindAddress(),
                    settings.httpPort(),
                    settings.idleTimeout(),
                    new HttpConnectionFactory(http)));
        }
        if (settings.tls() != null) {
            HttpConfiguration https = new HttpConfiguration(http);
            // Clients connect by address as often as by name: the certificate's names are not checked against SNI.
            https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
            publicConnectors.add(Connectors.named(
                    server,
                    TLS,
                    settings.bindAddress(),
                    settings.httpsPort(),
                    settings.idleTimeout(),
                    new SslConnectionFactory(sslContext(settings.tls()), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https)));
        }
        publicConnectors.forEach(server::addConnector);
        server.addBean(new PublicConnectionLimit(
                settings.maxConnections(), LIMITED_IDLE_TIMEOUT_MS, publicConnectors.toArray(Connector[]::new)));
        Connectors.serve(
                server,
                api,
                admin,
                settings.adminBindAddress(),
                settings.adminPort(),
                settings.idleTimeout(),
                settings.shutdownTimeout());
        return server;
    }

    private static SslContextFactory.Server sslContext(Tls tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keystore().toAbsolutePath().toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(tls.password());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }
}
