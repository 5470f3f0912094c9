package io.liftline.query.mongo;

import com.mongodb.MongoException;
import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether the store answers reads: readiness asks it, and the queries' outcomes are logged once per change. */
public final class StoreHealth {

    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);
    private static final Document PING = new Document("ping", 1);

    private final MongoClient client;
    private final ReadPreference readPreference;
    private final AtomicBoolean failing = new AtomicBoolean();

    public StoreHealth(MongoClient client, ReadPreference readPreference) {
        this.client = client;
        this.readPreference = readPreference;
    }

    /** Null when a member the read preference allows answers a ping; else why not. */
    public String unavailableReason() {
        if (!client.getClusterDescription().hasReadableServer(readPreference)) {
            return "no MongoDB member to read from (readPreference " + readPreference.getName() + ")";
        }
        try {
            client.getDatabase("admin").runCommand(PING, readPreference);
            return null;
        } catch (MongoException e) {
            return "MongoDB does not answer: " + describe(e);
        }
    }

    /** A query failed in the store or on the way: logged when queries start failing, not once per request. */
    public void queryFailed(MongoException e) {
        if (failing.compareAndSet(false, true)) {
            log.warn("queries fail: {}; answering 503 until the store answers again", describe(e));
        }
    }

    public void querySucceeded() {
        if (failing.compareAndSet(true, false)) {
            log.info("queries answer again");
        }
    }

    private static String describe(MongoException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return e.getClass().getSimpleName()
                + (message.isEmpty()
                        ? ""
                        : ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message));
    }
}
