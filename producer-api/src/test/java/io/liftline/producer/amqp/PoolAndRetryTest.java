package io.liftline.producer.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmCallback;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerConnection;
import io.liftline.model.LiftRide;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class PoolAndRetryTest {

    private static final LiftRide RIDE = new LiftRide("e-1", 1, "2025", 1, 1, 1, 1, Instant.now());

    private final BrokerConnection broker = mock(BrokerConnection.class);
    private final Connection connection = mock(Connection.class);

    private Channel openChannel() {
        Channel channel = mock(Channel.class);
        when(channel.isOpen()).thenReturn(true);
        when(channel.getNextPublishSeqNo()).thenReturn(1L);
        return channel;
    }

    private void connected() {
        when(broker.isConnected()).thenReturn(true);
        when(broker.connection()).thenReturn(connection);
    }

    @Test
    void anExhaustedPoolAnswersWithItsStateWithinTheAcquireTimeout() throws Exception {
        connected();
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        ChannelPool pool = new ChannelPool(broker, 1, 10, Duration.ofMillis(100), PublishListener.NONE);
        ConfirmChannel held = pool.borrow();
        long start = System.nanoTime();
        assertThatThrownBy(pool::borrow).isInstanceOf(PublishException.PoolExhausted.class)
                .hasMessage("no channel free within 100 ms (channels active=1, idle=0, waiting=0, max=1)");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(90L, 2_000L);
        pool.release(held);
        assertThat(pool.borrow()).isSameAs(held);
    }

    @Test
    void aPoolWithoutBrokerAnswersUnavailableAtOnce() {
        when(broker.isConnected()).thenReturn(false);
        when(broker.unavailableReason()).thenReturn("broker unreachable (connection refused)");
        ChannelPool pool = new ChannelPool(broker, 1, 10, Duration.ofSeconds(5), PublishListener.NONE);
        assertThatThrownBy(pool::borrow).isInstanceOf(PublishException.BrokerUnavailable.class)
                .hasMessage("broker unreachable (connection refused)");
    }

    @Test
    void aPublishWhoseChannelDiesIsRetriedOnAnotherChannelWithTheSameEventId() throws Exception {
        connected();
        Channel dying = openChannel();
        doThrow(new IOException("channel closed")).when(dying)
                .basicPublish(anyString(), anyString(), anyBoolean(), any(AMQP.BasicProperties.class), any(byte[].class));
        Channel healthy = openChannel();
        when(connection.createChannel()).thenReturn(dying, healthy);
        RidePublisher publisher = new RidePublisher(broker,
                new ChannelPool(broker, 2, 10, Duration.ofSeconds(1), PublishListener.NONE), Duration.ofSeconds(5));

        CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));

        ArgumentCaptor<AMQP.BasicProperties> props = ArgumentCaptor.forClass(AMQP.BasicProperties.class);
        verify(healthy, timeout(2_000)).basicPublish(anyString(), anyString(), anyBoolean(), props.capture(), any(byte[].class));
        assertThat(props.getValue().getMessageId()).isEqualTo("e-1");
        ArgumentCaptor<ConfirmCallback> ack = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(healthy).addConfirmListener(ack.capture(), any(ConfirmCallback.class));
        assertThat(confirmed).isNotDone();
        ack.getValue().handle(1, false);
        confirmed.get(2, TimeUnit.SECONDS);
    }

    @Test
    void aNackIsNotRetried() throws Exception {
        connected();
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        RidePublisher publisher = new RidePublisher(broker,
                new ChannelPool(broker, 2, 10, Duration.ofSeconds(1), PublishListener.NONE), Duration.ofSeconds(5));
        CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));
        ArgumentCaptor<ConfirmCallback> nack = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(channel).addConfirmListener(any(ConfirmCallback.class), nack.capture());
        nack.getValue().handle(1, false);
        assertThatThrownBy(() -> confirmed.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(PublishException.Nacked.class);
        verify(connection, org.mockito.Mockito.times(1)).createChannel();
    }
}
