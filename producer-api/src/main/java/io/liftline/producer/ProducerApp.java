package io.liftline.producer;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.liftline.broker.BrokerConnection;
import io.liftline.producer.amqp.ChannelPool;
import io.liftline.producer.amqp.RidePublisher;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.producer.http.ApiKeys;
import io.liftline.producer.http.IngestHandler;
import io.liftline.producer.metrics.ProducerMetrics;
import io.liftline.service.AdminHandler;
import io.liftline.service.Connectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The producer, assembled: broker connection, channel pool, publisher, HTTP server. */
public final class ProducerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProducerApp.class);
    private static final String PLAIN = "http";
    private static final String TLS = "https";

    private final ProducerConfig config;
    private final BrokerConnection broker;
    private final ChannelPool pool;
    private final RidePublisher publisher;
    private final AdminHandler admin;
    private final Server server;

    private ProducerApp(ProducerConfig config) throws java.io.IOException {
        this.config = config;
        this.broker = new BrokerConnection(config.amqpUri(), "liftline-producer", BrokerConnection.Transport.NETTY,
                BrokerConnection.DEFAULT_RETRY_INTERVAL, config.shards());
        ProducerMetrics metrics = new ProducerMetrics();
        this.pool = new ChannelPool(broker, config.channelPoolSize(), config.maxInFlightPerChannel(),
                config.channelAcquireTimeout(), metrics);
        metrics.bind(pool, broker);
        this.publisher = new RidePublisher(broker, pool, config.publishTimeout(), config.shards());
        TimeBasedEpochGenerator uuidV7 = Generators.timeBasedEpochGenerator();
        ApiKeys keys = null;
        if (config.apiKeysFile() != null) {
            keys = ApiKeys.load(config.apiKeysFile());
            log.info("scanners authenticate with API keys: {}", keys);
        } else {
            log.warn("no {}: anyone who reaches the ingest port may post rides for any resort", ProducerConfig.API_KEYS_FILE);
        }
        if (keys != null && config.httpPort() != -1) {
            log.warn("API keys are on and the plain HTTP port {} is open: keys sent there travel in cleartext", config.httpPort());
        }
        if (config.adminPort() == -1) {
            log.warn("{} is -1: no /health and no /metrics, so nothing can tell whether this producer works", ProducerConfig.ADMIN_PORT);
        }
        this.admin = new AdminHandler(() -> {
            String unavailable = broker.unavailableReason();
            return unavailable != null ? unavailable : publisher.confirmsOverdueReason();
        }, metrics);
        this.server = createServer(config, new IngestHandler(config, publisher, metrics, () -> uuidV7.generate().toString(), keys),
                admin);
    }

    /**
     * Starts the producer. It serves at once; until the broker answers, POSTs get 503 and readiness says why.
     */
    public static ProducerApp start(ProducerConfig config) throws Exception {
        ProducerApp app = new ProducerApp(config);
        app.broker.start();
        try {
            app.server.start();
        } catch (Exception e) { // a port taken, a keystore that does not open: nothing may stay running
            app.server.stop();
            app.pool.close();
            app.broker.close();
            throw e;
        }
        log.info("producer listening: {} ({})", Connectors.describe(app.server), config);
        return app;
    }

    /**
     * A Jetty server with the API on the public connectors (plain HTTP, HTTPS, or both) and health and metrics
     * on the admin connector: graceful stop, JSON errors, no server version header, and the bounds a public
     * edge needs (connections, header size, idle timeout; the body deadline is the API handler's).
     *
     * @param admin served on the admin port; ignored when that port is off
     */
    public static Server createServer(ProducerConfig config, Handler api, Handler admin) {
        Server server = Connectors.newServer();
        HttpConfiguration http = Connectors.http();
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(ProducerConfig.DEFAULT_MAX_REQUEST_HEADER_BYTES);
        List<Connector> publicConnectors = new ArrayList<>();
        if (config.httpPort() != -1) {
            publicConnectors.add(Connectors.named(server, PLAIN, config.bindAddress(), config.httpPort(), config.idleTimeout(),
                    new HttpConnectionFactory(http)));
        }
        if (config.tls() != null) {
            HttpConfiguration https = new HttpConfiguration(http);
            // Scanners connect by address as often as by name: the certificate's names are not checked against SNI.
            https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
            publicConnectors.add(Connectors.named(server, TLS, config.bindAddress(), config.httpsPort(), config.idleTimeout(),
                    new SslConnectionFactory(sslContext(config.tls()), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https)));
        }
        publicConnectors.forEach(server::addConnector);
        NetworkConnectionLimit limit = new NetworkConnectionLimit(config.maxConnections(), publicConnectors.toArray(Connector[]::new));
        limit.setEndPointIdleTimeout(1_000); // at the limit, idle connections make room within a second
        server.addBean(limit);
        Connectors.serve(server, api, admin, config.adminBindAddress(), config.adminPort(), config.idleTimeout(),
                config.shutdownTimeout());
        return server;
    }

    private static SslContextFactory.Server sslContext(ProducerConfig.Tls tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keystore().toAbsolutePath().toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(tls.password());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }

    /** The plain HTTP port (-1 when off; with port 0 the one picked). */
    public int port() {
        return Connectors.localPort(server, PLAIN);
    }

    /** The HTTPS port (-1 without TLS). */
    public int tlsPort() {
        return Connectors.localPort(server, TLS);
    }

    /** The admin port of health and metrics (-1 when off). */
    public int adminPort() {
        return Connectors.localPort(server, Connectors.ADMIN);
    }

    /** Requests whose publishes await confirms right now. */
    public int inFlightPublishes() {
        return publisher.inFlightCalls();
    }

    /** Waits until the broker connection is up (for tests and scripts that must not race the first connect). */
    public boolean awaitBroker(Duration timeout) throws InterruptedException {
        return broker.awaitConnected(timeout);
    }

    /**
     * Stops in order: readiness goes DOWN and no new request is taken; requests in flight get their confirms
     * (bounded by the shutdown timeout); then channels and connection close. Nothing unconfirmed is answered 201.
     */
    @Override
    public void close() throws Exception {
        long start = System.nanoTime();
        admin.stopAccepting();
        server.stop(); // graceful: stops accepting, waits for in-flight requests up to the stop timeout
        Duration left = config.shutdownTimeout().minusNanos(System.nanoTime() - start);
        if (!publisher.drain(left.isNegative() ? Duration.ZERO : left)) {
            log.warn("shutdown: {} publishes still unconfirmed after {} ms; their requests are answered 503",
                    publisher.inFlightCalls(), config.shutdownTimeout().toMillis());
        }
        pool.close();
        broker.close();
        log.info("producer stopped");
    }
}
