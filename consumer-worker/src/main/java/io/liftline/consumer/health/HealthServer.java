package io.liftline.consumer.health;

import io.liftline.service.AdminHandler;
import io.liftline.service.Connectors;
import io.liftline.service.JsonErrorHandler;
import java.time.Duration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The worker's admin port, which has no public API: the admin routes every Liftline service serves, on Jetty. */
public final class HealthServer implements AutoCloseable {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final Server server;

    /** Starts serving {@code admin} on {@code host} (null: every interface) and {@code port} (0: a free one). */
    public HealthServer(String host, int port, AdminHandler admin) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2); // scrapes and probes, a few a second at most
        threads.setName("admin-http");
        server = new Server(threads);
        server.addConnector(Connectors.named(
                server, Connectors.ADMIN, host, port, IDLE_TIMEOUT, new HttpConnectionFactory(Connectors.http())));
        server.setHandler(admin);
        server.setErrorHandler(new JsonErrorHandler());
        server.start();
    }

    public int port() {
        return Connectors.localPort(server, Connectors.ADMIN);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
