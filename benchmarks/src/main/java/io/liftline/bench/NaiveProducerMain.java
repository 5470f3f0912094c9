package io.liftline.bench;

import io.liftline.broker.BrokerConnection;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.producer.http.IngestHandler;
import io.liftline.producer.metrics.ProducerMetrics;
import io.liftline.runtime.ConfigSource;
import io.liftline.service.AdminHandler;
import io.liftline.service.edge.ApiKeys;
import io.liftline.service.edge.Edge;
import io.liftline.service.edge.RateLimiting;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.jetty.server.Server;

/**
 * The producer's HTTP surface over {@link NaivePublisher}: same Jetty server, same validation, only the publish
 * strategy differs, so the benchmark measures exactly that. Not for production.
 */
public final class NaiveProducerMain {

    private NaiveProducerMain() {}

    public static void main(String[] args) throws Exception {
        ProducerConfig config = ProducerConfig.from(ConfigSource.from(args, System::getenv));
        BrokerConnection broker = new BrokerConnection(
                config.amqpUri(),
                "naive-producer",
                BrokerConnection.Transport.NETTY,
                BrokerConnection.DEFAULT_RETRY_INTERVAL);
        broker.start();
        if (!broker.awaitConnected(Duration.ofSeconds(30))) {
            throw new IllegalStateException("no broker: " + broker.unavailableReason());
        }
        // --channel-pool-size: 8 (twice Liftline's default) is a fair share of resources; 200 (one per HTTP thread)
        // gives the naive design its best case, since every request holds a channel for its whole publish-and-wait.
        NaivePublisher publisher = new NaivePublisher(
                broker, config.channelPoolSize(), config.publishTimeout().toMillis());
        ProducerMetrics metrics = new ProducerMetrics();
        Server server = Edge.server(
                config.edge(),
                new IngestHandler(
                                config,
                                publisher,
                                metrics,
                                () -> UUID.randomUUID().toString(),
                                null)
                        .behind(new Edge.Guard(null, ApiKeys.Scope.INGEST, null, RateLimiting.Charge.RIDES)),
                new AdminHandler(broker::unavailableReason, metrics));
        server.start();
        System.out.println("naive producer listening on port " + config.httpPort());
        server.join();
    }
}
