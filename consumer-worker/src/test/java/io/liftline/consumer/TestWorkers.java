package io.liftline.consumer;

import com.mongodb.client.model.Filters;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.runtime.Values;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.time.Duration;
import java.util.regex.Pattern;
import org.bson.conversions.Bson;

/** What the worker's integration tests share: a worker's settings for the test class's backends, and its output. */
final class TestWorkers {

    private TestWorkers() {}

    /** A worker's settings on the class's vhost and database, its admin port off; tests set what they are about. */
    static Values settings(BrokerAndStore backends) {
        return Values.defaults()
                .set(ConsumerConfig.AMQP_URI, backends.rabbit().amqpUri())
                .set(ConsumerConfig.MONGODB_URI, backends.mongo().uri())
                .set(ConsumerConfig.MONGODB_DATABASE, backends.mongo().databaseName())
                .set(ConsumerConfig.ADMIN_PORT, -1);
    }

    /** Rides stored under the event ids {@link Rides#ids} made with this prefix. */
    static long stored(BrokerAndStore backends, String prefix) {
        return backends.mongo().database().getCollection("rides").countDocuments(ofRun(prefix));
    }

    /** Publishes {@code count} rides under {@code prefix}; waits (30 s at most) until the workers have stored each. */
    static void publishAndAwaitStored(BrokerAndStore backends, String prefix, int count) throws Exception {
        Rides.publish(backends.rabbit().connection(), Rides.ids(prefix, count));
        Poll.waitAtMost(
                Duration.ofSeconds(30),
                count + " rides " + prefix + " stored",
                () -> stored(backends, prefix) == count);
    }

    /** The event ids {@link Rides#ids} made with this prefix. */
    static Bson ofRun(String prefix) {
        return Filters.regex("_id", "^" + Pattern.quote(prefix + "-"));
    }
}
