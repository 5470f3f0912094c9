package io.liftline.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;

/** Reads and deletes by {@code _id}, a bounded number of ids a query. */
final class ById {

    /**
     * Ids per {@code $in}. MongoDB looks each id up in a sorted set; the stand-in compares every document found with
     * every id of the list, so one {@code $in} of the ride ids of thousands of skier-days' ledgers outlasted the
     * workers' 10 s read timeout, again and again. Chunks keep that cost linear, and each query small.
     */
    static final int IDS_PER_QUERY = 500;

    private ById() {}

    /** The documents of these ids (those that exist), with the projection (or whole, for null), a chunk at a time. */
    static List<Document> find(MongoCollection<Document> collection, Collection<String> ids, Bson projection) {
        List<Document> found = new ArrayList<>(ids.size());
        for (List<String> chunk : chunks(ids)) {
            collection.find(Filters.in("_id", chunk)).projection(projection).into(found);
        }
        return found;
    }

    /** Deletes the documents of these ids, a chunk at a time. */
    static void delete(MongoCollection<Document> collection, Collection<String> ids) {
        for (List<String> chunk : chunks(ids)) {
            collection.deleteMany(Filters.in("_id", chunk));
        }
    }

    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += IDS_PER_QUERY) {
            chunks.add(all.subList(from, Math.min(all.size(), from + IDS_PER_QUERY)));
        }
        return chunks;
    }
}
