package io.liftline.query;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.liftline.query.config.QueryConfig;
import io.liftline.query.http.AdminHandler;
import io.liftline.query.http.JsonErrorHandler;
import io.liftline.query.http.QueryHandler;
import io.liftline.query.mongo.RideQueries;
import io.liftline.query.mongo.StoreHealth;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The query API, assembled: a MongoDB client reading with the configured preference, and the HTTP server. */
public final class QueryApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueryApp.class);
    private static final String API = "http";
    private static final String ADMIN = "admin";

    private final MongoClient client;
    private final AdminHandler admin;
    private final Server server;

    private QueryApp(QueryConfig config, Clock clock) {
        this.client = MongoClients.create(storeSettings(config));
        RideQueries queries = new RideQueries(client.getDatabase(config.mongodbDatabase()).getCollection("rides"),
                config.queryTimeout());
        StoreHealth store = new StoreHealth(client, config.readPreference());
        QueryMetrics metrics = new QueryMetrics();
        this.admin = new AdminHandler(store, metrics);
        metrics.readiness(admin::notReadyReason);
        this.server = createServer(config, new QueryHandler(config, queries, store, metrics, clock), admin);
    }

    /** Starts serving at once; until the store answers, queries get 503 and readiness says why. */
    public static QueryApp start(QueryConfig config) throws Exception {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(QueryConfig)}, with the clock that says which days are past (tests move it). */
    public static QueryApp start(QueryConfig config, Clock clock) throws Exception {
        QueryApp app = new QueryApp(config, clock);
        try {
            app.server.start();
        } catch (Exception e) { // a port taken: nothing may stay running
            app.server.stop();
            app.client.close();
            throw e;
        }
        log.info("query API listening: http {}, admin {} ({})", app.port(), app.adminPort(), config);
        return app;
    }

    /**
     * The client reads with the configured preference; a query gives up after the query timeout wherever it is
     * stuck: choosing a server, in the store (maxTime, set per query), or waiting on a socket of a hung store.
     */
    static MongoClientSettings storeSettings(QueryConfig config) {
        long timeout = config.queryTimeout().toMillis();
        return MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(config.mongodbUri()))
                .readPreference(config.readPreference())
                .applicationName("liftline-query-api")
                .applyToClusterSettings(c -> c.serverSelectionTimeout(timeout, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(s -> s.connectTimeout((int) Math.min(timeout, 5_000), TimeUnit.MILLISECONDS)
                        .readTimeout((int) timeout + 2_000, TimeUnit.MILLISECONDS))
                .build();
    }

    /** A Jetty server with the read API on the public port and health and metrics on the admin port (when on). */
    public static Server createServer(QueryConfig config, Handler api, Handler admin) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        server.addConnector(connector(server, API, config.bindAddress(), config.httpPort(), http));
        Handler handler = api;
        if (config.adminPort() != -1) {
            server.addConnector(connector(server, ADMIN, config.adminBindAddress(), config.adminPort(), http));
            handler = new Handler.Sequence(new OnConnector(ADMIN, admin), handler);
        }
        server.setHandler(new GracefulHandler(handler));
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(config.shutdownTimeout().toMillis());
        return server;
    }

    private static ServerConnector connector(Server server, String name, String host, int port, HttpConfiguration http) {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setName(name);
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /** Runs its handler only for requests that came in on the named connector. */
    private static final class OnConnector extends Handler.Wrapper {
        private final String name;

        OnConnector(String name, Handler handler) {
            super(handler);
            this.name = name;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            return name.equals(request.getConnectionMetaData().getConnector().getName()) && super.handle(request, response, callback);
        }
    }

    /** The read API's port (with port 0 the one picked). */
    public int port() {
        return localPort(API);
    }

    /** The admin port of health and metrics (-1 when off). */
    public int adminPort() {
        return localPort(ADMIN);
    }

    private int localPort(String name) {
        for (Connector connector : server.getConnectors()) {
            if (name.equals(connector.getName())) {
                return ((ServerConnector) connector).getLocalPort();
            }
        }
        return -1;
    }

    /** Readiness goes DOWN, no new request is taken, requests in flight finish (up to the shutdown timeout). */
    @Override
    public void close() throws Exception {
        admin.stopAccepting();
        server.stop();
        client.close();
        log.info("query API stopped");
    }
}
