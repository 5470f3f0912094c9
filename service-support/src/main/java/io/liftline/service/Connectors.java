package io.liftline.service;

import java.time.Duration;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Named connectors, so that one server serves the public API on some and the admin routes on another. */
public final class Connectors {

    /** The admin connector's name. */
    public static final String ADMIN = "admin";

    private Connectors() {}

    /** A server whose request threads are named {@code http} (Jetty's default bounds: 8 to 200). */
    public static Server newServer() {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        return new Server(threads);
    }

    /** HTTP/1.1 that does not announce Jetty's version. */
    public static HttpConfiguration http() {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        return http;
    }

    /**
     * Finishes a server whose public connectors are added: {@code admin} on an admin connector ({@code adminPort}
     * -1: none) ahead of {@code api}, JSON errors, and a graceful stop that lets requests in flight finish within
     * {@code stopTimeout}.
     */
    public static void serve(
            Server server,
            Handler api,
            Handler admin,
            String adminHost,
            int adminPort,
            Duration idleTimeout,
            Duration stopTimeout) {
        Handler handler = api;
        if (adminPort != -1) {
            server.addConnector(
                    named(server, ADMIN, adminHost, adminPort, idleTimeout, new HttpConnectionFactory(http())));
            handler = new Handler.Sequence(only(ADMIN, admin), api);
        }
        server.setHandler(new GracefulHandler(handler));
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(stopTimeout.toMillis());
    }

    /** A connector named {@code name} on {@code host} (null: every interface) and {@code port} (0: a free one). */
    public static ServerConnector named(
            Server server, String name, String host, int port, Duration idleTimeout, ConnectionFactory... factories) {
        ServerConnector connector = new ServerConnector(server, factories);
        connector.setName(name);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        return connector;
    }

    /** The connector named {@code name}, or null when there is none. */
    public static ServerConnector connector(Server server, String name) {
        for (Connector connector : server.getConnectors()) {
            if (name.equals(connector.getName())) {
                return (ServerConnector) connector;
            }
        }
        return null;
    }

    /** The port the named connector listens on (with port 0, the one picked), or -1 when there is none. */
    public static int localPort(Server server, String name) {
        ServerConnector connector = connector(server, name);
        return connector == null ? -1 : connector.getLocalPort();
    }

    /** "http *:8080, admin 127.0.0.1:9090": for the line a service logs when it starts. */
    public static String describe(Server server) {
        StringBuilder ports = new StringBuilder();
        for (Connector connector : server.getConnectors()) {
            ServerConnector c = (ServerConnector) connector;
            ports.append(ports.isEmpty() ? "" : ", ")
                    .append(c.getName())
                    .append(' ')
                    .append(c.getHost() == null ? "*" : c.getHost())
                    .append(':')
                    .append(c.getLocalPort());
        }
        return ports.toString();
    }

    /** Runs its handler only for requests that came in on the named connector. */
    public static Handler only(String name, Handler handler) {
        return new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return name.equals(
                                request.getConnectionMetaData().getConnector().getName())
                        && super.handle(request, response, callback);
            }
        };
    }
}
