package io.liftline.producer;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.liftline.broker.BrokerConnection;
import io.liftline.producer.amqp.ChannelPool;
import io.liftline.producer.amqp.RidePublisher;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.producer.http.IngestHandler;
import io.liftline.producer.metrics.ProducerMetrics;
import io.liftline.service.AdminHandler;
import io.liftline.service.Connectors;
import io.liftline.service.edge.ApiKeys;
import io.liftline.service.edge.Edge;
import io.liftline.service.edge.EdgeService;
import io.liftline.service.edge.RateLimiting;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The producer, assembled: broker connection, channel pool, publisher, HTTP server. */
public final class ProducerApp implements EdgeService {

    private static final Logger log = LoggerFactory.getLogger(ProducerApp.class);

    private final ProducerConfig config;
    private final BrokerConnection broker;
    private final ChannelPool pool;
    private final RidePublisher publisher;
    private final AdminHandler admin;
    private final Server server;

    private ProducerApp(ProducerConfig config) throws java.io.IOException {
        this.config = config;
        this.broker = new BrokerConnection(
                config.amqpUri(),
                "liftline-producer",
                BrokerConnection.Transport.NETTY,
                BrokerConnection.DEFAULT_RETRY_INTERVAL,
                config.shards());
        ProducerMetrics metrics = new ProducerMetrics();
        this.pool = new ChannelPool(
                broker,
                config.channelPoolSize(),
                config.maxInFlightPerChannel(),
                config.channelAcquireTimeout(),
                metrics);
        metrics.bind(pool, broker);
        this.publisher = new RidePublisher(
                broker,
                pool,
                config.publishTimeout(),
                config.shards(),
                new RidePublisher.HoldLimits(config.holdMaxRequests(), config.holdMaxBytes()));
        metrics.bind(publisher);
        TimeBasedEpochGenerator uuidV7 = Generators.timeBasedEpochGenerator();
        Edge.Guard guard = Edge.guard(config.edge(), ApiKeys.Scope.INGEST, RateLimiting.Charge.RIDES, "ingest API");
        this.admin = new AdminHandler(
                () -> {
                    String unavailable = broker.unavailableReason();
                    return unavailable != null ? unavailable : publisher.confirmsOverdueReason();
                },
                metrics);
        this.server = Edge.server(
                config.edge(),
                new IngestHandler(
                                config,
                                publisher,
                                metrics,
                                () -> uuidV7.generate().toString(),
                                guard.limits())
                        .behind(guard),
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

    @Override
    public Server edgeServer() {
        return server;
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
     * Stops in order: readiness goes DOWN; the producer serves on for the drain delay, so that a load balancer sees
     * it and sends elsewhere; then no new request is taken, requests in flight get their confirms (bounded by the
     * shutdown timeout), and channels and connection close. Nothing unconfirmed is answered 201.
     */
    @Override
    public void close() throws Exception {
        admin.stopAccepting();
        if (!config.drainDelay().isZero()) {
            log.info(
                    "shutting down: readiness DOWN, serving {} ms more while load balancers notice",
                    config.drainDelay().toMillis());
            Thread.sleep(config.drainDelay().toMillis());
        }
        long start = System.nanoTime();
        server.stop(); // graceful: stops accepting, waits for in-flight requests up to the stop timeout
        Duration left = config.shutdownTimeout().minusNanos(System.nanoTime() - start);
        if (!publisher.drain(left.isNegative() ? Duration.ZERO : left)) {
            log.warn(
                    "shutdown: {} publishes still unconfirmed after {} ms; their requests are answered 503",
                    publisher.inFlightCalls(),
                    config.shutdownTimeout().toMillis());
        }
        pool.close();
        broker.close();
        log.info("producer stopped");
    }
}
