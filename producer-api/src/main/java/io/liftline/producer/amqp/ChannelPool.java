package io.liftline.producer.amqp;

import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerConnection;
import java.time.Duration;
import java.util.NoSuchElementException;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * A pool of confirm-mode channels on the one broker connection. A caller borrows a channel only while it
 * publishes, then returns it and awaits its confirms without holding it, so a few channels serve many requests.
 */
public final class ChannelPool implements AutoCloseable {

    private final GenericObjectPool<ConfirmChannel> pool;
    private final BrokerConnection broker;

    public ChannelPool(BrokerConnection broker, int size, int maxInFlightPerChannel, Duration acquireTimeout,
                       PublishListener listener) {
        this.broker = broker;
        GenericObjectPoolConfig<ConfirmChannel> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(size);
        config.setMaxIdle(size);
        // Every channel kept open, and made again in the background when one dies: a request never waits on a
        // channel.open, which a broker blocked by an alarm would not answer.
        config.setMinIdle(size);
        config.setTimeBetweenEvictionRuns(Duration.ofSeconds(1));
        config.setNumTestsPerEvictionRun(0);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(acquireTimeout);
        config.setTestOnBorrow(true);
        config.setTestOnReturn(true);
        config.setJmxEnabled(false);
        this.pool = new GenericObjectPool<>(new Factory(broker, maxInFlightPerChannel, listener), config);
    }

    /** Lends a channel; give it back with {@link #release}. */
    ConfirmChannel borrow() throws PublishException, InterruptedException {
        if (!broker.isConnected()) {
            throw new PublishException.BrokerUnavailable(broker.unavailableReason(), null);
        }
        try {
            return pool.borrowObject();
        } catch (NoSuchElementException e) {
            if (!broker.isConnected()) {
                throw new PublishException.BrokerUnavailable(broker.unavailableReason(), e);
            }
            throw new PublishException.PoolExhausted("no channel free within " + pool.getMaxWaitDuration().toMillis()
                    + " ms (" + state() + ")");
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted while borrowing a channel");
            }
            throw new PublishException.BrokerUnavailable("cannot open a channel: " + e.getMessage(), e);
        }
    }

    void release(ConfirmChannel channel) {
        pool.returnObject(channel);
    }

    public int active() {
        return pool.getNumActive();
    }

    public int idle() {
        return pool.getNumIdle();
    }

    public int waiting() {
        return pool.getNumWaiters();
    }

    /** The pool's state in one phrase, for timeout messages and logs. */
    public String state() {
        return "channels active=" + active() + ", idle=" + idle() + ", waiting=" + waiting() + ", max=" + pool.getMaxTotal();
    }

    @Override
    public void close() {
        pool.close();
    }

    private static final class Factory extends BasePooledObjectFactory<ConfirmChannel> {
        private final BrokerConnection broker;
        private final int maxInFlight;
        private final PublishListener listener;

        Factory(BrokerConnection broker, int maxInFlight, PublishListener listener) {
            this.broker = broker;
            this.maxInFlight = maxInFlight;
            this.listener = listener;
        }

        @Override
        public ConfirmChannel create() throws Exception {
            Connection connection = broker.connection();
            if (connection == null) {
                throw new PublishException.BrokerUnavailable(broker.unavailableReason(), null);
            }
            String blocked = broker.blockedReason(); // read once: the alarm may clear between two reads
            if (blocked != null) {
                throw PublishException.BrokerBlocked.because(blocked);
            }
            return new ConfirmChannel(connection.createChannel(), maxInFlight, listener);
        }

        @Override
        public PooledObject<ConfirmChannel> wrap(ConfirmChannel channel) {
            return new DefaultPooledObject<>(channel);
        }

        @Override
        public boolean validateObject(PooledObject<ConfirmChannel> p) {
            return p.getObject().isUsable();
        }

        @Override
        public void destroyObject(PooledObject<ConfirmChannel> p) {
            p.getObject().close();
        }
    }
}
