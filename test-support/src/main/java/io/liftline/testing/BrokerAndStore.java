package io.liftline.testing;

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
}
