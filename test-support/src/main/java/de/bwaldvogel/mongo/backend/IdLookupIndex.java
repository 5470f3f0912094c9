package de.bwaldvogel.mongo.backend;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.util.List;

/**
 * Liftline's stand-in store only: mongo-java-server's {@code _id} index, used also for a query that asks for an
 * {@code _id} and more ({@code {_id: x, "events.17": {$ne: e}}}, or the driver's {@code $and} of the two). The
 * library uses its index only for a query on the index's keys alone and scans the collection otherwise, which made
 * every conditional update of the read model cost as much as the collection is large. The index finds the one
 * candidate; the collection matches it against the whole query, as before, so answers are unchanged.
 *
 * <p>In the library's package because {@link Index}'s constructor and {@code isSparse} are not public.
 */
public final class IdLookupIndex<P> extends Index<P> {

    private final Index<P> delegate;

    public IdLookupIndex(Index<P> delegate) {
        super(delegate.getName(), delegate.getKeys(), delegate.isSparse());
        this.delegate = delegate;
    }

    /** True for the one index this is for: the unique index on {@code _id} alone. */
    public static boolean isIdIndex(List<IndexKey> keys) {
        return keys.size() == 1 && keys.get(0).getKey().equals("_id");
    }

    @Override
    public boolean canHandle(Document query) {
        return delegate.canHandle(query) || idOnly(query) != null;
    }

    @Override
    public Iterable<P> getPositions(Document query) {
        return delegate.canHandle(query) ? delegate.getPositions(query) : delegate.getPositions(idOnly(query));
    }

    /** The query's {@code _id} condition alone (a value, or an {@code $in}), or null when it has none. */
    static Document idOnly(Document query) {
        if (query.containsKey("_id") && lookup(query.get("_id"))) {
            return new Document("_id", query.get("_id"));
        }
        if (query.get("$and") instanceof List<?> conditions) {
            for (Object condition : conditions) {
                if (condition instanceof Document d && d.size() == 1 && d.containsKey("_id") && lookup(d.get("_id"))) {
                    return new Document("_id", d.get("_id"));
                }
            }
        }
        return null;
    }

    private static boolean lookup(Object idCondition) {
        return idCondition != null && (!(idCondition instanceof Document d) || d.size() == 1 && d.containsKey("$in"));
    }

    @Override
    public P getPosition(Document document) {
        return delegate.getPosition(document);
    }

    @Override
    public void checkAdd(Document document, MongoCollection<P> collection) {
        delegate.checkAdd(document, collection);
    }

    @Override
    public void add(Document document, P position, MongoCollection<P> collection) {
        delegate.add(document, position, collection);
    }

    @Override
    public P remove(Document document) {
        return delegate.remove(document);
    }

    @Override
    public long getCount() {
        return delegate.getCount();
    }

    @Override
    public boolean isEmpty() {
        return delegate.isEmpty();
    }

    @Override
    public long getDataSize() {
        return delegate.getDataSize();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
        delegate.checkUpdate(oldDocument, newDocument, collection);
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> collection)
            throws KeyConstraintError {
        delegate.updateInPlace(oldDocument, newDocument, position, collection);
    }

    @Override
    public void drop() {
        delegate.drop();
    }

    @Override
    public boolean isUnique() {
        return delegate.isUnique();
    }
}
