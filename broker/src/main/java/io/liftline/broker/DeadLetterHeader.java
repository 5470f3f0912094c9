package io.liftline.broker;

import java.util.Locale;

/**
 * The headers of a message in {@link Topology#DEAD_LETTER_QUEUE}: why it is there and where it came from. The worker
 * writes them, the ops tool reads them (and adds {@link #REPLAYED_AT} when it replays one); docs/topology.md lists them.
 */
public enum DeadLetterHeader {
    REASON,
    DETAIL,
    SOURCE_QUEUE,
    SOURCE_EXCHANGE,
    SOURCE_ROUTING_KEY,
    DEAD_LETTERED_AT,
    CONSUMER,
    REPLAYED_AT;

    /** The header's name: {@code x-liftline-source-queue}. */
    public String key() {
        return "x-liftline-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
