package io.liftline.consumer.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds rides that these workers' shard count would strand: a ride queue beyond {@code LIFTLINE_SHARDS} exists (a
 * producer publishes to more shards), or, when sharded, the unsharded {@code lift-rides} holds rides (a producer
 * with one shard publishes there). Nothing is lost either way: the rides wait in their queue. The worker then says so
 * in its readiness and in {@code liftline_shards_mismatch}, so that it is seen and fixed, and keeps consuming its own
 * shards: refusing to start would stop ingest on the shards that do agree.
 */
public final class ShardCheck implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShardCheck.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final BrokerConnection broker;
    private final Shards shards;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "shard-check");
        t.setDaemon(true);
        return t;
    });
    private volatile String mismatch;

    public ShardCheck(BrokerConnection broker, Shards shards) {
        this.broker = broker;
        this.shards = shards;
    }

    /** Checks now and every {@link #INTERVAL}. */
    public ShardCheck start() {
        timer.scheduleWithFixedDelay(this::check, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Why the shard counts disagree, or null when nothing is stranded (or the broker cannot be asked now). */
    public String mismatch() {
        return mismatch;
    }

    private void check() {
        Connection connection = broker.connection();
        if (connection == null) {
            return; // readiness already says the broker is unreachable
        }
        String found = null;
        try {
            // The first queue past this count, e.g. lift-rides.4 with 4 shards, lift-rides.0 with one.
            String beyond = Topology.QUEUE + "." + (shards.count() == 1 ? 0 : shards.count());
            if (messagesIn(connection, beyond) >= 0) {
                found = "queue " + beyond
                        + " exists: a producer publishes to more shards than this worker's LIFTLINE_SHARDS="
                        + shards.count() + ", and rides there wait for workers with that count";
            } else if (shards.count() > 1) {
                long unsharded = messagesIn(connection, Topology.QUEUE);
                if (unsharded > 0) {
                    found = Topology.QUEUE + " holds " + unsharded
                            + " rides: a producer with LIFTLINE_SHARDS=1 publishes there, "
                            + "and this worker (LIFTLINE_SHARDS=" + shards.count() + ") consumes only the shards";
                }
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            return; // asked again at the next interval
        }
        if (found != null && !found.equals(mismatch)) {
            log.warn("shard counts disagree: {}", found);
        } else if (found == null && mismatch != null) {
            log.info("shard counts agree again");
        }
        mismatch = found;
    }

    /** Ready messages in a queue, or -1 when it does not exist; a throwaway channel, as the broker closes it on a 404. */
    private static long messagesIn(Connection connection, String queue) throws IOException, TimeoutException {
        Channel channel = connection.createChannel();
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException notFound) {
            if (BrokerConnection.describe(notFound).contains("NOT_FOUND")) {
                return -1;
            }
            throw notFound;
        } finally {
            if (channel.isOpen()) {
                channel.close();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
