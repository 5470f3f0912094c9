package io.liftline.service.edge;

import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;

/**
 * Jetty's limit on open connections, with its short idle timeout also given to connections that open while the
 * limit is reached.
 *
 * <p>Jetty shortens the idle timeout of the connections registered when the limit is reached. A burst of
 * connections (the attack the limit is for) is accepted faster than its connections are registered: Jetty 12.1
 * counts a connection as it accepts it and registers it later, on another thread. Those connections kept the
 * connector's idle timeout (30 s by default), so idle ones held every place and a real request waited behind them.
 * Here a connection that opens while the limit is reached gets the short timeout too.
 *
 * <p>And when the limit clears, Jetty gives every connection the connector's idle timeout back, also where a graceful
 * stop had just given it the stop's short one: a stop that began at the limit then waited out its whole timeout for
 * idle connections, and failed. Here a connector that is stopping keeps the stop's idle timeout.
 */
final class PublicConnectionLimit extends NetworkConnectionLimit implements Connection.Listener {

    /** Guards {@link #limited} with the idle timeouts set under it, so that none is set after the limit clears. */
    private final Object lock = new Object();

    private boolean limited;

    private final List<AbstractConnector> connectors;

    PublicConnectionLimit(int maxConnections, long limitedIdleTimeoutMs, Connector... connectors) {
        super(maxConnections, connectors);
        setEndPointIdleTimeout(limitedIdleTimeoutMs);
        this.connectors = Stream.of(connectors)
                .filter(AbstractConnector.class::isInstance)
                .map(AbstractConnector.class::cast)
                .toList();
    }

    @Override
    protected void limit() {
        synchronized (lock) {
            limited = true;
            super.limit();
        }
    }

    @Override
    protected void unlimit() {
        synchronized (lock) {
            limited = false;
            super.unlimit();
            // After Jetty's restore. A stop marks its connector stopping before it sets its timeout: where this sees
            // no stop, the stop's own setting comes after the restore.
            for (AbstractConnector connector : connectors) {
                if (connector.isShutdown()) {
                    for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                        endPoint.setIdleTimeout(
                                Math.min(endPoint.getIdleTimeout(), connector.getShutdownIdleTimeout()));
                    }
                }
            }
        }
    }

    /**
     * A connection opens after its endpoint is registered: either {@link #limit()} saw the endpoint, or this sees
     * the limit.
     */
    @Override
    public void onOpened(Connection connection) {
        synchronized (lock) {
            EndPoint endPoint = connection.getEndPoint();
            if (limited && endPoint.getIdleTimeout() > getEndPointIdleTimeout()) {
                endPoint.setIdleTimeout(getEndPointIdleTimeout());
            }
        }
    }
}
