package io.liftline.bench;

import com.rabbitmq.client.Channel;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import io.liftline.producer.amqp.Publisher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * The textbook design the benchmark compares against: borrow a confirm channel, publish one message, block in
 * {@code waitForConfirmsOrDie}, repeat, give the channel back. Correct, and slow: one round trip per message.
 */
final class NaivePublisher implements Publisher {

    private final GenericObjectPool<Channel> pool;
    private final long timeoutMillis;

    NaivePublisher(BrokerConnection broker, int channels, long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.pool = new GenericObjectPool<>(new BasePooledObjectFactory<>() {
            @Override
            public Channel create() throws Exception {
                Channel channel = broker.connection().createChannel();
                channel.confirmSelect();
                return channel;
            }

            @Override
            public PooledObject<Channel> wrap(Channel channel) {
                return new DefaultPooledObject<>(channel);
            }
        });
        pool.setMaxTotal(channels);
        pool.setMaxIdle(channels);
    }

    @Override
    public CompletableFuture<Void> publish(List<LiftRide> rides) {
        Channel channel = null;
        try {
            channel = pool.borrowObject();
            for (LiftRide ride : rides) {
                channel.basicPublish(
                        Topology.EXCHANGE,
                        Topology.ROUTING_KEY,
                        true,
                        Topology.rideProperties(ride.eventId(), ride.receivedAt()),
                        RideJson.toMessage(ride));
                channel.waitForConfirmsOrDie(timeoutMillis);
            }
            pool.returnObject(channel);
            return CompletableFuture.completedFuture(null);
        } catch (Exception e) {
            if (channel != null) {
                try {
                    pool.invalidateObject(channel);
                } catch (Exception ignored) {
                    // the channel is gone either way
                }
            }
            return CompletableFuture.failedFuture(e);
        }
    }
}
