package io.liftline.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own broker vhost and store database, which most integration tests need both of: set up before the
 * class in that order, and dropped after it in the other.
 *
 * <pre>{@code @RegisterExtension static final BrokerAndStore backends = new BrokerAndStore();}</pre>
 */
public final class BrokerAndStore implements BeforeAllCallback, AfterAllCallback {

    private final RabbitVhost rabbit = new RabbitVhost();
    private final MongoTestDatabase mongo = new MongoTestDatabase();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        rabbit.beforeAll(context);
        mongo.beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            mongo.afterAll(context);
        } finally {
            rabbit.afterAll(context);
        }
    }

    /** The class's vhost on the test broker. */
    public RabbitVhost rabbit() {
        return rabbit;
    }

    /** The class's database on the test store. */
    public MongoTestDatabase mongo() {
        return mongo;
    }

    /**
     * The environment that points a Liftline process at this vhost and database, with these further variables
     * (name, value, name, value...).
     */
    public Map<String, String> environment(String... more) {
        if (more.length % 2 != 0) {
            throw new IllegalArgumentException("variables come in pairs of name and value");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LIFTLINE_AMQP_URI", rabbit.amqpUri());
        env.put("LIFTLINE_MONGODB_URI", mongo.uri());
        env.put("LIFTLINE_MONGODB_DATABASE", mongo.databaseName());
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return Map.copyOf(env);
    }
}
