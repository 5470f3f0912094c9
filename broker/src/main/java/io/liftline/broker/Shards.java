package io.liftline.broker;

import io.liftline.runtime.Setting;
import java.util.ArrayList;
import java.util.List;

/**
 * The ride queues: one, {@code lift-rides} (the contract's topology, exactly), or {@code count} shards
 * {@code lift-rides.0 … lift-rides.N-1}, each its own quorum queue with its own Raft leader, so ingest is not
 * capped by one queue's leader. A skier's rides always go to one shard, chosen by a hash of the skier id, so
 * they stay in order. Producers and workers must be given the same count ({@code LIFTLINE_SHARDS}).
 */
public record Shards(int count) {

    public static final Shards ONE = new Shards(1);
    /** More shards than this buys nothing on any cluster Liftline is sized for, and costs a channel each. */
    public static final int MAX = 64;
    /** What {@code LIFTLINE_SHARDS} must be. */
    public static final Setting.Check<Integer> COUNT = count -> count >= 1 && count <= MAX ? null : "must be 1.." + MAX;

    /** {@code LIFTLINE_SHARDS}, declared once for the producers and the workers, which must agree on it. */
    public static <C> Setting<C, Integer> setting(java.util.function.Function<C, Integer> getter) {
        return Setting.integer("LIFTLINE_SHARDS", getter)
                .byDefault(1)
                .check(COUNT)
                .doc("ride queues; producers and workers must agree");
    }

    public Shards {
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException("shards must be 1.." + MAX + ", was " + count);
        }
    }

    /** The queue of a shard: {@code lift-rides} when there is one, else {@code lift-rides.<shard>}. */
    public String queue(int shard) {
        return count == 1 ? Topology.QUEUE : Topology.QUEUE + "." + shard;
    }

    /** The routing key that reaches a shard's queue: {@code ride}, or {@code ride.<shard>}. */
    public String routingKey(int shard) {
        return count == 1 ? Topology.ROUTING_KEY : Topology.ROUTING_KEY + "." + shard;
    }

    /** The shard of a skier's rides: a hash of the id, so neighbouring ids spread and one skier's stay together. */
    public int of(int skierId) {
        if (count == 1) {
            return 0;
        }
        // MurmurHash3's finalizer: every input bit moves every output bit, so ranges of ids spread evenly.
        int h = skierId;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, count);
    }

    /**
     * The routing key that reaches a ride queue by its name ({@code lift-rides.2} → {@code ride.2}), for sending a
     * message back where it came from; anything else gets the unsharded key.
     */
    public static String routingKeyOf(String queue) {
        String prefix = Topology.QUEUE + ".";
        if (queue != null
                && queue.startsWith(prefix)
                && queue.length() > prefix.length()
                && queue.substring(prefix.length()).chars().allMatch(Character::isDigit)) {
            return Topology.ROUTING_KEY + "." + queue.substring(prefix.length());
        }
        return Topology.ROUTING_KEY;
    }

    /** Whether a queue is a ride queue: {@code lift-rides} or a shard of it. */
    public static boolean isRideQueue(String queue) {
        return queue.equals(Topology.QUEUE) || !routingKeyOf(queue).equals(Topology.ROUTING_KEY);
    }

    /** Every shard's queue, in shard order. */
    public List<String> queues() {
        List<String> queues = new ArrayList<>(count);
        for (int shard = 0; shard < count; shard++) {
            queues.add(queue(shard));
        }
        return queues;
    }

    /** Parses a subset such as {@code 0,2}: the shards one worker consumes; blank means all. */
    public List<Integer> parseSubset(String subset) {
        List<Integer> shards = new ArrayList<>();
        if (subset == null || subset.isBlank()) {
            for (int shard = 0; shard < count; shard++) {
                shards.add(shard);
            }
            return shards;
        }
        for (String part : subset.split(",")) {
            int shard;
            try {
                shard = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "a shard is a number 0.." + (count - 1) + ", was '" + part.strip() + "'");
            }
            if (shard < 0 || shard >= count) {
                throw new IllegalArgumentException("shard " + shard + " does not exist: shards are 0.." + (count - 1));
            }
            if (!shards.contains(shard)) {
                shards.add(shard);
            }
        }
        return shards;
    }
}
