package io.liftline.testing;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.IdLookupIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import java.util.List;

/**
 * The stand-in store's backends (mongo-java-server in memory, or on an H2 file), with its {@code _id} index used for
 * every query that names an {@code _id} ({@link IdLookupIndex}): the read model's updates are {@code _id} lookups with
 * a condition, which the library would answer by scanning the collection.
 */
public final class StandInBackends {

    private StandInBackends() {}

    /** In memory: the fastest, for tests and benchmarks. */
    public static MongoBackend memory() {
        return new MemoryBackend() {
            @Override
            public MemoryDatabase openOrCreateDatabase(String databaseName) {
                return new MemoryDatabase(databaseName, getCursorRegistry()) {
                    @Override
                    protected Index<Integer> openOrCreateUniqueIndex(
                            String collection, String name, List<IndexKey> keys, boolean sparse) {
                        Index<Integer> index = super.openOrCreateUniqueIndex(collection, name, keys, sparse);
                        return IdLookupIndex.isIdIndex(keys) ? new IdLookupIndex<>(index) : index;
                    }
                };
            }
        };
    }

    /** On an H2 file, which survives a restart: the demo's store. */
    public static H2Backend h2(String file) {
        return new H2Backend(file) {
            @Override
            protected MongoDatabase openOrCreateDatabase(String databaseName) {
                return new H2Database(databaseName, getMvStore(), getCursorRegistry()) {
                    @Override
                    protected Index<Object> openOrCreateUniqueIndex(
                            String collection, String name, List<IndexKey> keys, boolean sparse) {
                        Index<Object> index = super.openOrCreateUniqueIndex(collection, name, keys, sparse);
                        return IdLookupIndex.isIdIndex(keys) ? new IdLookupIndex<>(index) : index;
                    }
                };
            }
        };
    }
}
