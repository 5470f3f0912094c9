package io.liftline.query;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.liftline.query.config.QueryConfig;
import io.liftline.query.http.QueryHandler;
import io.liftline.query.mongo.StoreHealth;
import io.liftline.service.AdminHandler;
import io.liftline.service.Connectors;
import io.liftline.service.ServiceMetrics;
import io.liftline.service.edge.ApiKeys;
import io.liftline.service.edge.Edge;
import io.liftline.service.edge.EdgeService;
import io.liftline.service.edge.RateLimiting;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryReader;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The query API, assembled: a MongoDB client reading the read model with the configured preference, and the HTTP server. */
public final class QueryApp implements EdgeService {

    private static final Logger log = LoggerFactory.getLogger(QueryApp.class);

    private final MongoClient client;
    private final AdminHandler admin;
    private final Server server;

    private QueryApp(QueryConfig config, Clock clock) throws java.io.IOException {
        this.client = MongoClients.create(storeSettings(config));
        SummaryReader queries =
                new SummaryReader(new Summaries(client.getDatabase(config.mongodbDatabase())), config.queryTimeout());
        StoreHealth store = new StoreHealth(client, config.readPreference());
        ServiceMetrics metrics = new ServiceMetrics();
        this.admin = new AdminHandler(store::unavailableReason, metrics);
        Edge.Guard guard = Edge.guard(config.edge(), ApiKeys.Scope.READ, RateLimiting.Charge.REQUEST, "read API");
        this.server = Edge.server(
                config.edge(), new QueryHandler(config, queries, store, metrics, clock).behind(guard), admin);
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
        log.info("query API listening: {} ({})", Connectors.describe(app.server), config);
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

    @Override
    public Server edgeServer() {
        return server;
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
