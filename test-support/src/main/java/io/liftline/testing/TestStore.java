package io.liftline.testing;

import de.bwaldvogel.mongo.MongoServer;
import io.liftline.runtime.Secrets;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The one MongoDB of a test JVM: {@code LIFTLINE_MONGODB_URI} if set; else a Testcontainers MongoDB when
 * Docker is available; else an in-process mongo-java-server on a random loopback port (a wire-compatible
 * stand-in, reached over TCP by the real driver; logged once so nobody mistakes it for MongoDB).
 */
public final class TestStore {

    /** Where the store is, and what it is. */
    public record Endpoint(String uri, String source) {
        @Override
        public String toString() {
            return source + " " + Secrets.maskUri(uri);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(TestStore.class);
    private static final String IMAGE = "mongo:7.0";

    private static Endpoint endpoint;

    private TestStore() {}

    public static synchronized Endpoint endpoint() {
        if (endpoint == null) {
            endpoint = resolve(System::getenv, TestStore::dockerAvailable);
            log.info("test store: {}", endpoint);
        }
        return endpoint;
    }

    static Endpoint resolve(Function<String, String> env, BooleanSupplier dockerAvailable) {
        String explicit = env.apply("LIFTLINE_MONGODB_URI");
        if (explicit != null && !explicit.isBlank()) {
            return new Endpoint(explicit, "LIFTLINE_MONGODB_URI");
        }
        if (dockerAvailable.getAsBoolean()) {
            MongoDBContainer container = new MongoDBContainer(IMAGE);
            container.start();
            return new Endpoint(container.getConnectionString(), "Testcontainers MongoDB");
        }
        MongoServer server = new MongoServer(StandInBackends.memory());
        String uri = server.bindAndGetConnectionString();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-stand-in-shutdown"));
        return new Endpoint(uri, "in-process mongo-java-server stand-in (no Docker, no LIFTLINE_MONGODB_URI)");
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
