package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ReturnCallback;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class ConfirmedPublisherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final Channel channel = mock(Channel.class);
    private ConfirmedPublisher publisher;
    private ReturnCallback returns;

    @BeforeEach
    void confirmMode() throws IOException {
        publisher = new ConfirmedPublisher(channel);
        verify(channel).confirmSelect();
        ArgumentCaptor<ReturnCallback> callback = ArgumentCaptor.forClass(ReturnCallback.class);
        verify(channel).addReturnListener(callback.capture());
        returns = callback.getValue();
    }

    @Test
    void answersWhichMessagesReachedNoQueue() throws Exception {
        when(channel.waitForConfirms(anyLong())).thenReturn(true);
        publisher.publish(Topology.EXCHANGE, "ride.0", Topology.rideProperties("a", Instant.now()), new byte[0]);
        publisher.publish(Topology.EXCHANGE, "ride.9", Topology.rideProperties("b", Instant.now()), new byte[0]);
        returns.handle(new Return(
                312,
                "NO_ROUTE",
                Topology.EXCHANGE,
                "ride.9",
                Topology.rideProperties("b", Instant.now()),
                new byte[0]));

        assertThat(publisher.awaitConfirms(TIMEOUT))
                .containsExactly(new ConfirmedPublisher.Published(Topology.EXCHANGE, "ride.9", "b"));
        assertThat(publisher.unsettled()).isZero();
        verify(channel).basicPublish(eq(Topology.EXCHANGE), eq("ride.0"), eq(true), any(), any());
    }

    @Test
    void aReturnDoesNotCarryOverToTheNextWindow() throws Exception {
        when(channel.waitForConfirms(anyLong())).thenReturn(true);
        publisher.publish(Topology.EXCHANGE, "ride", Topology.rideProperties("a", Instant.now()), new byte[0]);
        returns.handle(new Return(
                312, "NO_ROUTE", Topology.EXCHANGE, "ride", Topology.rideProperties("a", Instant.now()), new byte[0]));
        assertThat(publisher.awaitConfirms(TIMEOUT)).hasSize(1);

        publisher.publish(Topology.EXCHANGE, "ride", Topology.rideProperties("a", Instant.now()), new byte[0]);
        assertThat(publisher.awaitConfirms(TIMEOUT)).isEmpty();
    }

    @Test
    void aNackIsAnIOException() throws Exception {
        when(channel.waitForConfirms(anyLong())).thenReturn(false);
        publisher.publish(Topology.EXCHANGE, "ride", Topology.rideProperties("a", Instant.now()), new byte[0]);

        assertThatThrownBy(() -> publisher.awaitConfirms(TIMEOUT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nack");
    }

    @Test
    void aTimeoutLeavesTheChannelOpenForTheCallerToAbandon() throws Exception {
        when(channel.waitForConfirms(anyLong())).thenThrow(new TimeoutException());
        publisher.publish(Topology.EXCHANGE, "ride", Topology.rideProperties("a", Instant.now()), new byte[0]);

        assertThatThrownBy(() -> publisher.awaitConfirms(TIMEOUT)).isInstanceOf(TimeoutException.class);
        verify(channel, never()).close();
        verify(channel, never()).waitForConfirmsOrDie(anyLong());
    }

    @Test
    void publishesEveryMessagePersistent() throws Exception {
        publisher.publish(
                Topology.DEAD_LETTER_EXCHANGE,
                "",
                new AMQP.BasicProperties.Builder().messageId("x").build(),
                new byte[0]);

        ArgumentCaptor<AMQP.BasicProperties> properties = ArgumentCaptor.forClass(AMQP.BasicProperties.class);
        verify(channel).basicPublish(eq(Topology.DEAD_LETTER_EXCHANGE), eq(""), eq(true), properties.capture(), any());
        assertThat(properties.getValue().getDeliveryMode()).isEqualTo(2);
        assertThat(properties.getValue().getMessageId()).isEqualTo("x");
    }

    @Test
    void nothingPublishedIsNothingToWaitFor() throws Exception {
        assertThat(publisher.awaitConfirms(TIMEOUT)).isEmpty();
        verify(channel, never()).waitForConfirms(anyLong());
    }
}
