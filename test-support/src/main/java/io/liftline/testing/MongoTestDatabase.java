package io.liftline.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A database of its own for one test class, dropped afterwards.
 *
 * <pre>{@code @RegisterExtension static final MongoTestDatabase mongo = new MongoTestDatabase();}</pre>
 */
public final class MongoTestDatabase implements BeforeAllCallback, AfterAllCallback {

    private static final int MAX_PREFIX = 40;

    private TestStore.Endpoint endpoint;
    private MongoClient client;
    private String name;

    @Override
    public void beforeAll(ExtensionContext context) {
        endpoint = TestStore.endpoint();
        String simple = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        name = "lt_" + simple.substring(0, Math.min(simple.length(), MAX_PREFIX)) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        client = MongoClients.create(endpoint.uri());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.getDatabase(name).drop();
            client.close();
        }
    }

    /** The store's URI (the database is passed to the applications separately, as LIFTLINE_MONGODB_DATABASE). */
    public String uri() {
        return endpoint.uri();
    }

    public String databaseName() {
        return name;
    }

    public MongoDatabase database() {
        return client.getDatabase(name);
    }

    public MongoClient client() {
        return client;
    }
}
