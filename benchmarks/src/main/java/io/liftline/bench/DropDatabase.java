package io.liftline.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/**
 * {@code DropDatabase MONGODB_URI NAME}: drops a database a benchmark run wrote, so that the in-memory stand-in store
 * does not carry one run's data (and its garbage collector the work of it) into the next.
 */
public final class DropDatabase {

    private DropDatabase() {}

    public static void main(String[] args) {
        try (MongoClient client = MongoClients.create(args[0])) {
            client.getDatabase(args[1]).drop();
        }
    }
}
