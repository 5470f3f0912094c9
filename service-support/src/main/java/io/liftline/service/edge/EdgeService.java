package io.liftline.service.edge;

import io.liftline.service.Connectors;
import org.eclipse.jetty.server.Server;

/** A service that {@link Edge#server} serves: the ports it bound, told the same way by the producer and the read API. */
public interface EdgeService extends AutoCloseable {

    /** The server {@link Edge#server} built for this service. */
    Server edgeServer();

    /** The plain HTTP port (-1 when off; with port 0 the one picked). */
    default int port() {
        return Connectors.localPort(edgeServer(), Edge.PLAIN);
    }

    /** The HTTPS port (-1 without TLS). */
    default int tlsPort() {
        return Connectors.localPort(edgeServer(), Edge.TLS);
    }

    /** The admin port of health and metrics (-1 when off). */
    default int adminPort() {
        return Connectors.localPort(edgeServer(), Connectors.ADMIN);
    }
}
