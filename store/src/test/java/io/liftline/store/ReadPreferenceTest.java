package io.liftline.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Writers and recounts read back from the primary whatever the store's URI asks; readers keep what it asks. */
class ReadPreferenceTest {

    // Never connects: a client reaches its servers only when a command runs.
    private final MongoClient client = MongoClients.create("mongodb://127.0.0.1:1/?readPreference=secondaryPreferred");
    private final List<MongoCollection<?>> handedOut = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theWriterReadsFromThePrimaryEvenWhereTheUriAsksForASecondary() {
        assertEveryCollectionReadsFromThePrimary(SummaryWriter::new);
    }

    @Test
    void theRebuildReadsFromThePrimaryEvenWhereTheUriAsksForASecondary() {
        assertEveryCollectionReadsFromThePrimary(SummaryRebuild::new);
    }

    @Test
    void theRecountReadsFromThePrimaryEvenWhereTheUriAsksForASecondary() {
        assertEveryCollectionReadsFromThePrimary(SummaryCheck::new);
    }

    @Test
    void readersKeepTheReadPreferenceTheUriAsksFor() {
        new Summaries(recording(client.getDatabase("liftline"))).resortDays();

        assertThat(handedOut)
                .singleElement()
                .satisfies(c -> assertThat(c.getReadPreference()).isEqualTo(ReadPreference.secondaryPreferred()));
    }

    private void assertEveryCollectionReadsFromThePrimary(Consumer<Summaries> construct) {
        MongoDatabase database = client.getDatabase("liftline");
        assertThat(database.getReadPreference()).isEqualTo(ReadPreference.secondaryPreferred());

        construct.accept(new Summaries(recording(database)));

        assertThat(handedOut)
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.getReadPreference()).isEqualTo(ReadPreference.primary()));
    }

    /** The database, recording every collection it (or a copy of it with other settings) hands out. */
    private MongoDatabase recording(MongoDatabase database) {
        return (MongoDatabase) Proxy.newProxyInstance(
                MongoDatabase.class.getClassLoader(), new Class<?>[] {MongoDatabase.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(database, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof MongoDatabase copy) {
                        return recording(copy);
                    }
                    if (result instanceof MongoCollection<?> collection) {
                        handedOut.add(collection);
                    }
                    return result;
                });
    }
}
