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

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.slf4j.LoggerFactory;

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
        when(broker.whenConnected()).thenReturn(CompletableFuture.completedFuture(null));
    }

    /** A connection that was up and is being recovered: it comes back when the returned future is completed. */
    private CompletableFuture<Void> recovering() {
        CompletableFuture<Void> back = new CompletableFuture<>();
        when(broker.isConnected()).thenReturn(false);
        when(broker.isRecovering()).thenReturn(true);
        when(broker.connection()).thenReturn(null);
        when(broker.unavailableReason()).thenReturn("broker unreachable (connection lost: reset)");
        when(broker.whenConnected()).thenReturn(back);
        return back;
    }

    private static final RidePublisher.HoldLimits HOLD_PLENTY = new RidePublisher.HoldLimits(100, 1_000_000);

    /** A publisher on the mocked broker with a pool of this many channels (up to 10 borrowers waiting). */
    private RidePublisher publisher(int channels, Duration publishTimeout) {
        return new RidePublisher(broker, pool(channels), publishTimeout);
    }

    /** As {@link #publisher(int, Duration)}, one shard, with these bounds on the calls held for a reconnect. */
    private RidePublisher publisher(int channels, Duration publishTimeout, RidePublisher.HoldLimits hold) {
        return new RidePublisher(broker, pool(channels), publishTimeout, io.liftline.broker.Shards.ONE, hold);
    }

    private ChannelPool pool(int channels) {
        return new ChannelPool(broker, channels, 10, Duration.ofSeconds(1), PublishListener.NONE);
    }

    @Test
    void aPublishThatFindsTheConnectionRecoveringWaitsForItAndIsPublishedWhenItIsBack() throws Exception {
        CompletableFuture<Void> back = recovering();
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        RidePublisher publisher = publisher(1, Duration.ofSeconds(10), HOLD_PLENTY);

        CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));
        assertThat(confirmed).as("held while the connection recovers").isNotDone();

        connected();
        when(broker.isRecovering()).thenReturn(false);
        back.complete(null);
        ArgumentCaptor<AMQP.BasicProperties> props = ArgumentCaptor.forClass(AMQP.BasicProperties.class);
        verify(channel, timeout(2_000))
                .basicPublish(anyString(), anyString(), anyBoolean(), props.capture(), any(byte[].class));
        assertThat(props.getValue().getMessageId()).isEqualTo("e-1");
        ArgumentCaptor<ConfirmCallback> ack = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(channel).addConfirmListener(ack.capture(), any(ConfirmCallback.class));
        assertThat(confirmed).as("not answered before its confirm").isNotDone();
        ack.getValue().handle(1, false);
        confirmed.get(2, TimeUnit.SECONDS);
    }

    @Test
    void aHeldPublishAnswersUnavailableWhenTheConnectionStaysDownPastThePublishTimeout() throws Exception {
        recovering();
        RidePublisher publisher = publisher(1, Duration.ofMillis(300), HOLD_PLENTY);
        long start = System.nanoTime();
        CompletableFuture<Void> answer = publisher.publish(List.of(RIDE));
        assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(PublishException.BrokerUnavailable.class)
                .hasMessageContaining("did not come back within the publish timeout of 300 ms");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("waited out the timeout")
                .isGreaterThanOrEqualTo(290L);
        assertThat(publisher.inFlightCalls()).isZero();
    }

    @Test
    void heldPublishesThatTimedOutAreNotKeptByTheConnectionForTheRestOfTheOutage() throws Exception {
        CompletableFuture<Void> back = recovering();
        RidePublisher publisher = publisher(1, Duration.ofMillis(200), HOLD_PLENTY);
        List<CompletableFuture<Void>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.add(publisher.publish(List.of(RIDE)));
        }
        for (CompletableFuture<Void> answer : answers) {
            assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PublishException.BrokerUnavailable.class);
        }
        assertThat(publisher.heldCalls()).isZero();
        // One callback waits on the connection for the whole outage, not one per request that ever waited.
        assertThat(back.getNumberOfDependents()).isLessThanOrEqualTo(1);
    }

    @Test
    void beyondTheHoldBoundAPublishAnswersUnavailableAtOnceAndTheHeldOnesStillGoThrough() throws Exception {
        CompletableFuture<Void> back = recovering();
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        RidePublisher publisher = publisher(1, Duration.ofSeconds(10), new RidePublisher.HoldLimits(2, 1_000_000));
        List<CompletableFuture<Void>> held =
                List.of(publisher.publish(List.of(RIDE)), publisher.publish(List.of(RIDE)));

        CompletableFuture<Void> third = publisher.publish(List.of(RIDE));
        assertThat(third).as("refused at once").isDone();
        assertThatThrownBy(third::get)
                .hasCauseInstanceOf(PublishException.BrokerUnavailable.class)
                .hasMessageContaining("not held for the reconnect: 2 requests");
        assertThat(held).noneMatch(CompletableFuture::isDone);

        connected();
        when(broker.isRecovering()).thenReturn(false);
        back.complete(null);
        anyPublish(verify(channel, timeout(2_000).times(2)));
    }

    @Test
    void aHoldBoundOfBytesRefusesABatchThatWouldPassIt() throws Exception {
        recovering();
        RidePublisher publisher = publisher(1, Duration.ofSeconds(10), new RidePublisher.HoldLimits(100, 100));
        CompletableFuture<Void> answer = publisher.publish(List.of(RIDE, RIDE, RIDE));
        assertThat(answer).isDone();
        assertThatThrownBy(answer::get).hasMessageContaining("not held for the reconnect");
    }

    @Test
    void beforeTheFirstConnectionAPublishIsAnsweredAtOnce() {
        when(broker.isConnected()).thenReturn(false);
        when(broker.isRecovering()).thenReturn(false);
        when(broker.unavailableReason()).thenReturn("broker unreachable (not connected yet)");
        RidePublisher publisher = publisher(1, Duration.ofSeconds(10), HOLD_PLENTY);
        CompletableFuture<Void> answer = publisher.publish(List.of(RIDE));
        assertThat(answer).isDone();
        assertThatThrownBy(answer::get).hasCauseInstanceOf(PublishException.BrokerUnavailable.class);
    }

    @Test
    void anExhaustedPoolAnswersWithItsStateWithinTheAcquireTimeout() throws Exception {
        connected();
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        ChannelPool pool = new ChannelPool(broker, 1, 10, Duration.ofMillis(100), PublishListener.NONE);
        ConfirmChannel held = pool.borrow();
        long start = System.nanoTime();
        assertThatThrownBy(pool::borrow)
                .isInstanceOf(PublishException.PoolExhausted.class)
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
        assertThatThrownBy(pool::borrow)
                .isInstanceOf(PublishException.BrokerUnavailable.class)
                .hasMessage("broker unreachable (connection refused)");
    }

    @Test
    void aPublishWhoseChannelDiesIsRetriedOnAnotherChannelWithTheSameEventId() throws Exception {
        connected();
        Channel dying = openChannel();
        anyPublish(doThrow(new IOException("channel closed")).when(dying));
        Channel healthy = openChannel();
        when(connection.createChannel()).thenReturn(dying, healthy);
        RidePublisher publisher = publisher(2, Duration.ofSeconds(5));

        CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));

        ArgumentCaptor<AMQP.BasicProperties> props = ArgumentCaptor.forClass(AMQP.BasicProperties.class);
        verify(healthy, timeout(2_000))
                .basicPublish(anyString(), anyString(), anyBoolean(), props.capture(), any(byte[].class));
        assertThat(props.getValue().getMessageId()).isEqualTo("e-1");
        ArgumentCaptor<ConfirmCallback> ack = ArgumentCaptor.forClass(ConfirmCallback.class);
        // The filler replaces the dead channel with another on the same mock: the ack reaches each of them.
        verify(healthy, org.mockito.Mockito.atLeastOnce())
                .addConfirmListener(ack.capture(), any(ConfirmCallback.class));
        assertThat(confirmed).isNotDone();
        for (ConfirmCallback callback : ack.getAllValues()) {
            callback.handle(1, false);
        }
        confirmed.get(2, TimeUnit.SECONDS);
    }

    @Test
    void aRetryNeverRunsOnTheConnectionsIoThread() throws Exception {
        connected();
        Channel dying = openChannel();
        Channel healthy = openChannel();
        java.util.Set<String> openedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        when(connection.createChannel()).thenAnswer(i -> {
            openedOn.add(Thread.currentThread().getName());
            return opened.incrementAndGet() == 1 ? dying : healthy;
        });
        RidePublisher publisher = publisher(2, Duration.ofSeconds(5));
        CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));
        ArgumentCaptor<com.rabbitmq.client.ShutdownListener> shutdown =
                ArgumentCaptor.forClass(com.rabbitmq.client.ShutdownListener.class);
        verify(dying).addShutdownListener(shutdown.capture());
        when(dying.isOpen()).thenReturn(false);

        // The broker closes the channel: the client tells its listeners on its I/O thread.
        Thread io = new Thread(
                () -> shutdown.getValue()
                        .shutdownCompleted(new com.rabbitmq.client.ShutdownSignalException(false, false, null, dying)),
                "fake-amqp-io");
        io.start();
        io.join(5_000);

        anyPublish(verify(healthy, timeout(2_000)));
        assertThat(openedOn)
                .as("threads that opened channels, the retry's included")
                .containsOnly("channel-pool-filler");
        assertThat(confirmed).isNotDone();
    }

    @Test
    void aBorrowerNeverOpensAChannelAndIsAnsweredAtOnceWhenTheBrokerBlocks() throws Exception {
        connected();
        java.util.concurrent.CountDownLatch alarmOver = new java.util.concurrent.CountDownLatch(1);
        java.util.Set<String> openedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        Channel first = openChannel();
        when(connection.createChannel()).thenAnswer(i -> {
            openedOn.add(Thread.currentThread().getName());
            if (opened.incrementAndGet() > 1) {
                alarmOver.await(); // a blocked broker leaves channel.open unanswered
            }
            return first;
        });
        java.util.concurrent.atomic.AtomicReference<String> alarm = new java.util.concurrent.atomic.AtomicReference<>();
        when(broker.blockedReason()).thenAnswer(i -> alarm.get()); // stubbed once: other threads call it meanwhile
        ChannelPool pool = new ChannelPool(broker, 2, 10, Duration.ofSeconds(5), PublishListener.NONE);
        ArgumentCaptor<com.rabbitmq.client.BlockedListener> blocked =
                ArgumentCaptor.forClass(com.rabbitmq.client.BlockedListener.class);
        verify(broker).addBlockedListener(blocked.capture());
        try {
            ConfirmChannel held = pool.borrow();
            CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> {
                try {
                    pool.borrow();
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            org.mockito.Mockito.verify(connection, timeout(2_000).times(2)).createChannel(); // the filler is stuck
            assertThat(second).isNotDone();
            alarm.set("low on memory");
            long start = System.nanoTime();
            blocked.getValue().handleBlocked("low on memory");
            assertThat(second.get(2, TimeUnit.SECONDS))
                    .isInstanceOf(PublishException.BrokerBlocked.class)
                    .hasMessageContaining("low on memory");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("answered at the block, not the timeout")
                    .isLessThan(1_000L);
            assertThat(openedOn).containsOnly("channel-pool-filler");
            pool.release(held);
        } finally {
            alarmOver.countDown();
            pool.close();
        }
    }

    @Test
    void whenTheBrokerBlocksTheConnectionEveryWaitingPublishIsAnsweredAtOnce() throws Exception {
        connected();
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        ArgumentCaptor<com.rabbitmq.client.BlockedListener> blocked =
                ArgumentCaptor.forClass(com.rabbitmq.client.BlockedListener.class);
        RidePublisher publisher = new RidePublisher(
                broker,
                new ChannelPool(broker, 2, 100, Duration.ofSeconds(1), PublishListener.NONE),
                Duration.ofSeconds(60));
        verify(broker, org.mockito.Mockito.times(2))
                .addBlockedListener(blocked.capture()); // the pool's, the publisher's
        List<CompletableFuture<Void>> waiting =
                List.of(publisher.publish(List.of(RIDE)), publisher.publish(List.of(RIDE)));
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        for (com.rabbitmq.client.BlockedListener listener : blocked.getAllValues()) {
            listener.handleBlocked("low on memory");
        }

        for (CompletableFuture<Void> answer : waiting) {
            assertThatThrownBy(() -> answer.get(1, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(PublishException.BrokerBlocked.class)
                    .hasMessageContaining("broker blocked by a resource alarm (low on memory)");
        }
        assertThat(publisher.inFlightCalls()).isZero();
    }

    @Test
    void aNackSoonAfterAReconnectIsPublishedAgainWithTheSameIdOnAFreshChannelUntilItIsConfirmed() throws Exception {
        connected();
        when(broker.upFor()).thenReturn(Duration.ofSeconds(1)); // a failover: the queue may still elect its leader
        // RabbitMQ 3.10 keeps nacking a channel that first published while the queue's record named the dead leader:
        // the retry must not go out on the channel that was nacked.
        Channel stuck = openChannel();
        Channel fresh = openChannel();
        when(connection.createChannel()).thenReturn(stuck, fresh);
        RidePublisher publisher = publisher(1, Duration.ofSeconds(5));
        CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));
        ArgumentCaptor<ConfirmCallback> nack = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(stuck).addConfirmListener(any(ConfirmCallback.class), nack.capture());
        nack.getValue().handle(1, false);

        ArgumentCaptor<AMQP.BasicProperties> props = ArgumentCaptor.forClass(AMQP.BasicProperties.class);
        verify(fresh, timeout(2_000))
                .basicPublish(anyString(), anyString(), anyBoolean(), props.capture(), any(byte[].class));
        assertThat(props.getValue().getMessageId()).as("the same event id").isEqualTo("e-1");
        verify(stuck, timeout(2_000)).close();
        anyPublish(verify(stuck, org.mockito.Mockito.times(1)));
        assertThat(confirmed)
                .as("not answered while the retry waits for its confirm")
                .isNotDone();
        ArgumentCaptor<ConfirmCallback> ack = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(fresh).addConfirmListener(ack.capture(), any(ConfirmCallback.class));
        ack.getValue().handle(1, false);
        confirmed.get(2, TimeUnit.SECONDS);
    }

    @Test
    void aNackSoonAfterAReconnectThatOutlastsThePublishTimeoutIsA503() throws Exception {
        connected();
        when(broker.upFor()).thenReturn(Duration.ofSeconds(1));
        // Every stub before the pool exists: the pool opens its channels on threads of its own.
        Channel channel = openChannel();
        AtomicReference<ConfirmCallback> nack = new AtomicReference<>();
        org.mockito.Mockito.doAnswer(i -> {
                    nack.set(i.getArgument(1));
                    return null;
                })
                .when(channel)
                .addConfirmListener(any(ConfirmCallback.class), any(ConfirmCallback.class));
        org.mockito.Mockito.doAnswer(i -> {
                    ConfirmCallback refuse = nack.get();
                    CompletableFuture.runAsync(() -> {
                        try {
                            refuse.handle(1, false); // every attempt is refused, as by a queue with no leader
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    return null;
                })
                .when(channel)
                .basicPublish(
                        anyString(), anyString(), anyBoolean(), any(AMQP.BasicProperties.class), any(byte[].class));
        when(connection.createChannel()).thenReturn(channel);
        RidePublisher publisher = publisher(1, Duration.ofMillis(700));
        Logger poolLog = (Logger) LoggerFactory.getLogger(ChannelPool.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        poolLog.addAppender(lines);
        try {
            CompletableFuture<Void> confirmed = publisher.publish(List.of(RIDE));

            assertThatThrownBy(() -> confirmed.get(3, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(PublishException.Nacked.class);
            anyPublish(verify(channel, org.mockito.Mockito.atLeast(2)));
            verify(channel, timeout(2_000).atLeast(2)).close(); // each attempt's channel refused and replaced
            assertThat(lines.list)
                    .as("one line for the channels replaced, however many")
                    .singleElement()
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .asString()
                    .startsWith("replacing 1 channel(s) the broker refused from their first publish");
        } finally {
            poolLog.detachAppender(lines);
        }
    }

    @Test
    void aNackLongAfterTheConnectionCameUpIsNotRetriedAndKeepsAChannelTheBrokerConfirmedOn() throws Exception {
        connected();
        when(broker.upFor()).thenReturn(RidePublisher.NACK_RETRY_WINDOW.plusSeconds(1)); // a queue at its max length
        Channel channel = openChannel();
        when(connection.createChannel()).thenReturn(channel);
        RidePublisher publisher = publisher(1, Duration.ofSeconds(5));
        ArgumentCaptor<ConfirmCallback> ack = ArgumentCaptor.forClass(ConfirmCallback.class);
        ArgumentCaptor<ConfirmCallback> nack = ArgumentCaptor.forClass(ConfirmCallback.class);
        CompletableFuture<Void> first = publisher.publish(List.of(RIDE));
        verify(channel).addConfirmListener(ack.capture(), nack.capture());
        ack.getValue().handle(1, false);
        first.get(2, TimeUnit.SECONDS);

        when(channel.getNextPublishSeqNo()).thenReturn(2L);
        CompletableFuture<Void> refused = publisher.publish(List.of(RIDE));
        nack.getValue().handle(2, false);
        assertThatThrownBy(() -> refused.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(PublishException.Nacked.class);
        anyPublish(verify(channel, org.mockito.Mockito.times(2)));

        publisher.publish(List.of(RIDE));
        anyPublish(verify(channel, timeout(2_000).times(3)));
        verify(channel, org.mockito.Mockito.never()).close(); // a full queue's nacks: no channel churn
        verify(connection).createChannel();
    }

    @Test
    void aChannelTheBrokerNacksBeforeItConfirmedAnythingIsReplacedEvenLongAfterTheReconnect() throws Exception {
        connected();
        when(broker.upFor()).thenReturn(RidePublisher.NACK_RETRY_WINDOW.plusSeconds(1));
        Channel stuck = openChannel();
        Channel fresh = openChannel();
        when(connection.createChannel()).thenReturn(stuck, fresh);
        RidePublisher publisher = publisher(1, Duration.ofSeconds(5));
        CompletableFuture<Void> refused = publisher.publish(List.of(RIDE));
        ArgumentCaptor<ConfirmCallback> nack = ArgumentCaptor.forClass(ConfirmCallback.class);
        verify(stuck).addConfirmListener(any(ConfirmCallback.class), nack.capture());
        nack.getValue().handle(1, false);
        assertThatThrownBy(() -> refused.get(2, TimeUnit.SECONDS))
                .as("a prompt 503: long after a reconnect, a nack is not retried")
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(PublishException.Nacked.class);

        publisher.publish(List.of(RIDE));

        anyPublish(verify(fresh, timeout(2_000)));
        verify(stuck, timeout(2_000)).close();
        anyPublish(verify(stuck, org.mockito.Mockito.times(1)));
    }

    /** A publish of anything on {@code channel}: a mock's {@code when(...)} or {@code verify(...)}. */
    private static void anyPublish(Channel channel) throws IOException {
        channel.basicPublish(
                anyString(), anyString(), anyBoolean(), any(AMQP.BasicProperties.class), any(byte[].class));
    }
}
