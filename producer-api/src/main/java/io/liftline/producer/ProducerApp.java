package io.liftline.producer;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.liftline.broker.BrokerConnection;
import io.liftline.producer.amqp.ChannelPool;
import io.liftline.producer.amqp.RidePublisher;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.producer.http.ApiKeys;
import io.liftline.producer.http.IngestHandler;
import io.liftline.producer.http.JsonErrorHandler;
import io.liftline.producer.metrics.ProducerMetrics;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The producer, assembled: broker connection, channel pool, publisher, HTTP server. */
public final class ProducerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProducerApp.class);

    private final ProducerConfig config;
    private final BrokerConnection broker;
    private final ChannelPool pool;
    private final RidePublisher publisher;
    private final IngestHandler handler;
    private final Server server;

    private ProducerApp(ProducerConfig config) throws java.io.IOException {
        this.config = config;
        this.broker = new BrokerConnection(config.amqpUri(), "liftline-producer", BrokerConnection.Transport.NETTY,
                BrokerConnection.DEFAULT_RETRY_INTERVAL);
        ProducerMetrics metrics = new ProducerMetrics();
        this.pool = new ChannelPool(broker, config.channelPoolSize(), config.maxInFlightPerChannel(),
                config.channelAcquireTimeout(), metrics);
        metrics.bind(pool, broker);
        this.publisher = new RidePublisher(broker, pool, config.publishTimeout());
        TimeBasedEpochGenerator uuidV7 = Generators.timeBasedEpochGenerator();
        ApiKeys keys = null;
        if (config.apiKeysFile() != null) {
            keys = ApiKeys.load(config.apiKeysFile());
            log.info("scanners authenticate with API keys: {}", keys);
        } else {
            log.warn("no {}: anyone who reaches the ingest port may post rides for any resort", ProducerConfig.API_KEYS_FILE);
        }
        this.handler = new IngestHandler(config, publisher, broker, metrics, () -> uuidV7.generate().toString(), keys);
        this.server = createServer(config.httpPort(), handler);
        server.setStopTimeout(config.shutdownTimeout().toMillis());
    }

    /**
     * Starts the producer. It serves at once; until the broker answers, POSTs get 503 and readiness says why.
     */
    public static ProducerApp start(ProducerConfig config) throws Exception {
        ProducerApp app = new ProducerApp(config);
        app.broker.start();
        app.server.start();
        log.info("producer listening on port {} ({})", app.port(), config);
        return app;
    }

    /** A Jetty server for the handler: graceful stop, JSON errors, no server version header. */
    public static Server createServer(int port, Handler handler) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(handler));
        server.setErrorHandler(new JsonErrorHandler());
        return server;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
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
        handler.stopAccepting();
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
