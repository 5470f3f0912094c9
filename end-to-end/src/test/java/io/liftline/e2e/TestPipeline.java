package io.liftline.e2e;

import io.liftline.consumer.ConsumerApp;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.producer.ProducerApp;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.Poll;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A producer and a worker in this JVM, connected and subscribed: the one way the end-to-end tests start the pipeline.
 * The producer serves on a free port with its admin port; the worker stores into the test's database, admin port off.
 * Each side's settings can be changed before it starts. Closing stops the worker, then the producer.
 */
final class TestPipeline implements AutoCloseable {

    private static final Duration READY = Duration.ofSeconds(30);

    final ProducerApp producer;
    final ConsumerApp consumer;

    private TestPipeline(ProducerApp producer, ConsumerApp consumer) {
        this.producer = producer;
        this.consumer = consumer;
    }

    /** Both on {@code amqpUri} with the defaults. */
    static TestPipeline start(String amqpUri, MongoTestDatabase mongo) throws Exception {
        return start(amqpUri, mongo, p -> p, c -> c);
    }

    /**
     * Both on {@code amqpUri}, each config's values changed as the test needs (another broker URI, keys, shards...). Returns
     * once the producer holds a broker connection and the worker is ready (every consumer subscribed).
     */
    static TestPipeline start(
            String amqpUri,
            MongoTestDatabase mongo,
            UnaryOperator<Values> producerSettings,
            UnaryOperator<Values> consumerSettings)
            throws Exception {
        ProducerApp producer = ProducerApp.start(ProducerConfig.of(producerSettings.apply(Values.defaults()
                .set(ProducerConfig.AMQP_URI, amqpUri)
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0))));
        ConsumerApp consumer = null;
        try {
            consumer = ConsumerApp.start(ConsumerConfig.of(consumerSettings.apply(Values.defaults()
                    .set(ConsumerConfig.AMQP_URI, amqpUri)
                    .set(ConsumerConfig.MONGODB_URI, mongo.uri())
                    .set(ConsumerConfig.MONGODB_DATABASE, mongo.databaseName())
                    .set(ConsumerConfig.ADMIN_PORT, -1))));
            if (!producer.awaitBroker(READY)) {
                throw new AssertionError("the producer did not connect to the broker within " + READY);
            }
            ConsumerApp worker = consumer;
            Poll.waitAtMost(READY, "the worker ready", () -> worker.notReadyReason() == null);
            return new TestPipeline(producer, consumer);
        } catch (Exception | AssertionError e) {
            if (consumer != null) {
                consumer.close();
            }
            producer.close();
            throw e;
        }
    }

    /** The producer's plain HTTP port. */
    int port() {
        return producer.port();
    }

    @Override
    public void close() throws Exception {
        try {
            consumer.close();
        } finally {
            producer.close();
        }
    }
}
