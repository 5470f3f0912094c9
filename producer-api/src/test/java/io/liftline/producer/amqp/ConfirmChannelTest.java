package io.liftline.producer.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmCallback;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ReturnCallback;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class ConfirmChannelTest {

    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

    private final Channel channel = mock(Channel.class);
    private final AtomicLong nextSeq = new AtomicLong(1);
    private final CountingListener listener = new CountingListener();
    private ConfirmCallback ack;
    private ConfirmCallback nack;
    private ReturnCallback returns;
    private ShutdownListener shutdown;
    private ConfirmChannel confirmChannel;

    @BeforeEach
    void wrapAMockedChannel() throws IOException {
        when(channel.getNextPublishSeqNo()).thenAnswer(i -> nextSeq.get());
        doAnswerIncrementOnPublish();
        when(channel.isOpen()).thenReturn(true);
        confirmChannel = new ConfirmChannel(channel, 3, listener);
        ArgumentCaptor<ConfirmCallback> acks = ArgumentCaptor.forClass(ConfirmCallback.class);
        ArgumentCaptor<ConfirmCallback> nacks = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(channel).confirmSelect();
        verify(channel).addConfirmListener(acks.capture(), nacks.capture());
        ack = acks.getValue();
        nack = nacks.getValue();
        ArgumentCaptor<ReturnCallback> returnCaptor = ArgumentCaptor.forClass(ReturnCallback.class);
        verify(channel).addReturnListener(returnCaptor.capture());
        returns = returnCaptor.getValue();
        ArgumentCaptor<ShutdownListener> shutdownCaptor = ArgumentCaptor.forClass(ShutdownListener.class);
        verify(channel).addShutdownListener(shutdownCaptor.capture());
        shutdown = shutdownCaptor.getValue();
    }

    private void doAnswerIncrementOnPublish() throws IOException {
        org.mockito.Mockito.doAnswer(i -> {
                    nextSeq.incrementAndGet();
                    return null;
                })
                .when(channel)
                .basicPublish(
                        anyString(), anyString(), anyBoolean(), any(AMQP.BasicProperties.class), any(byte[].class));
    }

    private CompletableFuture<Void> publish(String id) throws Exception {
        return publish(id, "k");
    }

    private CompletableFuture<Void> publish(String id, String routingKey) throws Exception {
        AMQP.BasicProperties props =
                new AMQP.BasicProperties.Builder().messageId(id).build();
        return confirmChannel.publish(
                "x", routingKey, props, BODY, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void aNackToAQueueTheChannelHasPublishedToBeforeKeepsTheChannel() throws Exception {
        publish("a");
        ack.handle(1, false);
        publish("b");
        nack.handle(2, false);
        assertThat(confirmChannel.isUsable())
                .as("a full queue's nack: the channel stays")
                .isTrue();
        assertThat(listener.refused).hasValue(0);
    }

    @Test
    void aNackToAQueueTheChannelNeverHadAConfirmFromRetiresTheChannel() throws Exception {
        publish("a", "shard-0");
        ack.handle(1, false);
        publish("b", "shard-1"); // its first publish to another queue, refused: perhaps for as long as a node is down
        publish("c", "shard-1");
        nack.handle(3, true); // the two refused at once
        assertThat(confirmChannel.isUsable()).as("replaced by the pool").isFalse();
        assertThat(listener.refused).as("counted once a channel").hasValue(1);
    }

    @Test
    void aSingleAckCompletesOnlyItsOwnPublish() throws Exception {
        CompletableFuture<Void> first = publish("a");
        CompletableFuture<Void> second = publish("b");
        ack.handle(2, false);
        assertThat(second).isCompleted();
        assertThat(first).isNotDone();
        assertThat(confirmChannel.unconfirmedCount()).isEqualTo(1);
        verify(channel, times(2)).basicPublish(eq("x"), eq("k"), eq(true), any(AMQP.BasicProperties.class), eq(BODY));
    }

    @Test
    void aMultipleAckCompletesEveryPublishUpToItsSequenceNumber() throws Exception {
        CompletableFuture<Void> first = publish("a");
        CompletableFuture<Void> second = publish("b");
        CompletableFuture<Void> third = publish("c");
        ack.handle(2, true);
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(third).isNotDone();
        assertThat(listener.confirmed).hasValue(2);
    }

    @Test
    void aNackFailsThePublishWithANamedException() throws Exception {
        CompletableFuture<Void> first = publish("a");
        CompletableFuture<Void> second = publish("b");
        nack.handle(2, true);
        assertThatThrownBy(first::get)
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(PublishException.Nacked.class);
        assertThat(second).isCompletedExceptionally();
        assertThat(listener.nacked).hasValue(2);
    }

    @Test
    void aReturnedMessageFailsWhenItsAckArrives() throws Exception {
        CompletableFuture<Void> returned = publish("lost");
        CompletableFuture<Void> routed = publish("ok");
        returns.handle(new Return(
                312,
                "NO_ROUTE",
                "x",
                "k",
                new AMQP.BasicProperties.Builder().messageId("lost").build(),
                BODY));
        ack.handle(2, true);
        assertThatThrownBy(returned::get).hasCauseInstanceOf(PublishException.Returned.class);
        assertThat(routed).isCompleted();
        assertThat(routed.isCompletedExceptionally()).isFalse();
    }

    @Test
    void closingTheChannelFailsEveryPublishInFlight() throws Exception {
        CompletableFuture<Void> first = publish("a");
        CompletableFuture<Void> second = publish("b");
        shutdown.shutdownCompleted(new ShutdownSignalException(false, false, null, channel));
        assertThatThrownBy(first::get).hasCauseInstanceOf(PublishException.ChannelClosed.class);
        assertThatThrownBy(second::get).hasCauseInstanceOf(PublishException.ChannelClosed.class);
        assertThat(confirmChannel.isUsable()).isFalse();
        assertThat(confirmChannel.unconfirmedCount()).isZero();
    }

    @Test
    void aPublishThatThrowsFailsAtOnceAndLeavesNothingInFlight() throws Exception {
        doThrow(new IOException("socket closed"))
                .when(channel)
                .basicPublish(
                        anyString(), anyString(), anyBoolean(), any(AMQP.BasicProperties.class), any(byte[].class));
        CompletableFuture<Void> failed = publish("a");
        assertThatThrownBy(failed::get).hasCauseInstanceOf(PublishException.ChannelClosed.class);
        assertThat(confirmChannel.unconfirmedCount()).isZero();
        assertThat(confirmChannel.isUsable()).as("never lent again").isFalse();
    }

    @Test
    void inFlightIsBoundedAndTimesOutWithANamedException() throws Exception {
        publish("a");
        publish("b");
        publish("c");
        long start = System.nanoTime();
        assertThatThrownBy(() -> publish("d"))
                .isInstanceOf(PublishException.ConfirmTimeout.class)
                .hasMessageContaining("3 publishes in flight");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(90);
        ack.handle(1, false); // a confirm frees a permit
        assertThat(publish("e")).isNotDone();
    }

    @Test
    void confirmsForUnknownSequenceNumbersAreIgnored() throws Exception {
        CompletableFuture<Void> first = publish("a");
        ack.handle(42, false);
        assertThat(first).isNotDone();
    }

    private static final class CountingListener implements PublishListener {
        final AtomicInteger published = new AtomicInteger();
        final AtomicInteger confirmed = new AtomicInteger();
        final AtomicInteger nacked = new AtomicInteger();
        final AtomicInteger returned = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public void published() {
            published.incrementAndGet();
        }

        @Override
        public void confirmed() {
            confirmed.incrementAndGet();
        }

        @Override
        public void nacked() {
            nacked.incrementAndGet();
        }

        @Override
        public void returned() {
            returned.incrementAndGet();
        }

        @Override
        public void channelRefused() {
            refused.incrementAndGet();
        }
    }
}
