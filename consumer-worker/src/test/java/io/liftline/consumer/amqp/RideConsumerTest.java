package io.liftline.consumer.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mongodb.MongoSocketException;
import com.mongodb.ServerAddress;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.health.ConsumerMetrics;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import io.liftline.runtime.Values;
import io.liftline.store.RideStore;
import io.liftline.testing.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.slf4j.LoggerFactory;

/** The ack discipline of one consumer, against a mocked Channel and store. */
class RideConsumerTest {

    private final BrokerConnection broker = mock(BrokerConnection.class);
    private final Connection connection = mock(Connection.class);
    private final BrokerConnection deadLetterBroker = mock(BrokerConnection.class);
    private final Connection deadLetterConnection = mock(Connection.class);
    private final Channel channel = mock(Channel.class);
    private final Channel deadLetterChannel = mock(Channel.class);
    private final RideSink store = mock(RideSink.class);
    private Consumer deliveries;
    private RideConsumer consumer;
    private Thread thread;

    @BeforeEach
    void startAConsumerOnMocks() throws Exception {
        when(broker.connection()).thenReturn(connection);
        when(connection.createChannel()).thenReturn(channel);
        when(deadLetterBroker.connection()).thenReturn(deadLetterConnection);
        when(deadLetterConnection.createChannel()).thenReturn(deadLetterChannel);
        when(channel.isOpen()).thenReturn(true);
        when(deadLetterChannel.isOpen()).thenReturn(true);
        when(deadLetterChannel.waitForConfirms(anyLong())).thenReturn(true);
        // the consumer handed to basicConsume, taken in the answer: a captor read right after verify(timeout) can race
        // the consumer's thread, which registers the call before the stub's matchers capture its arguments
        CompletableFuture<Consumer> subscribed = new CompletableFuture<>();
        when(channel.basicConsume(eq(Topology.QUEUE), eq(false), anyString(), any(Consumer.class)))
                .thenAnswer(invocation -> {
                    subscribed.complete(invocation.getArgument(3));
                    return "tag";
                });
        ConsumerConfig config = ConsumerConfig.of(Values.defaults()
                .set(ConsumerConfig.BATCH_SIZE, 3)
                .set(ConsumerConfig.BATCH_TIMEOUT, Duration.ofMillis(200)));
        Retry retry = Retry.of(
                "test",
                RetryConfig.custom()
                        .maxAttempts(Integer.MAX_VALUE)
                        .waitDuration(Duration.ofMillis(10))
                        .retryOnException(e -> e instanceof RuntimeException)
                        .build());
        consumer = new RideConsumer(
                "test", Topology.QUEUE, broker, deadLetterBroker, store, config, new ConsumerMetrics(), retry);
        thread = new Thread(consumer);
        thread.start();
        deliveries = subscribed.get(2, TimeUnit.SECONDS);
        Poll.waitAtMost(Duration.ofSeconds(2), "the consumer knows it is subscribed", consumer::isSubscribed);
    }

    @AfterEach
    void stop() throws Exception {
        consumer.stop();
        thread.join(1_000);
        if (thread.isAlive()) { // still retrying a store that never comes back: abandon, as ConsumerApp.close does
            thread.interrupt();
            thread.join(2_000);
        }
        assertThat(thread.isAlive()).isFalse();
    }

    private void deliver(long tag, String eventId, Object version, byte[] body) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(eventId)
                .headers(version == null ? Map.of() : Map.of(Topology.SCHEMA_VERSION_HEADER, version))
                .build();
        deliveries.handleDelivery(
                "tag", new Envelope(tag, false, Topology.EXCHANGE, Topology.ROUTING_KEY), props, body);
    }

    private void deliverRide(long tag, String eventId) throws Exception {
        deliver(tag, eventId, 1, RideJson.toMessage(new LiftRide(eventId, 1, "2025", 1, 1, 1, 1, Instant.now())));
    }

    @Test
    void acksTheWholeBatchWithOneMultipleAckAfterTheStoreWroteIt() throws Exception {
        when(store.insert(anyList())).thenReturn(new RideStore.WriteResult(3, 0));
        deliverRide(1, "a");
        deliverRide(2, "b");
        deliverRide(3, "c");

        InOrder order = inOrder(store, channel);
        order.verify(store, timeout(2_000)).insert(anyList());
        order.verify(channel, timeout(2_000)).basicAck(3, true);
        verify(channel, never()).basicAck(1, false);
    }

    @Test
    void holdsTheBatchUnackedWhileTheStoreFailsAndAcksOnceItWrites() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        when(store.insert(anyList())).thenAnswer(i -> {
            if (attempts.incrementAndGet() < 5) {
                throw new MongoSocketException("store down", new ServerAddress());
            }
            return new RideStore.WriteResult(1, 0);
        });
        deliverRide(7, "a");

        verify(channel, timeout(5_000)).basicAck(7, true);
        assertThat(attempts).hasValue(5);
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
        verify(deadLetterChannel, never())
                .basicPublish(anyString(), anyString(), anyBoolean(), any(), any(byte[].class));
    }

    @Test
    void neverAcksWhileTheStoreIsDown() throws Exception {
        when(store.insert(anyList())).thenThrow(new MongoSocketException("store down", new ServerAddress()));
        deliverRide(1, "a");
        verify(store, timeout(2_000).atLeast(3)).insert(anyList());
        verify(channel, never()).basicAck(anyLong(), anyBoolean());
    }

    @Test
    void poisonIsDeadLetteredAndAckedAloneWhileTheGoodRidesAreWrittenAndAcked() throws Exception {
        when(store.insert(anyList())).thenReturn(new RideStore.WriteResult(2, 0));
        deliverRide(1, "good-1");
        deliver(2, "poison", 1, "not json".getBytes(UTF_8));
        deliverRide(3, "good-2");

        InOrder order = inOrder(deadLetterChannel, channel);
        order.verify(deadLetterChannel, timeout(2_000))
                .basicPublish(eq(Topology.DEAD_LETTER_EXCHANGE), anyString(), eq(true), any(), any(byte[].class));
        // The consumer's thread goes on after the copy is published: each step is awaited, not assumed done.
        order.verify(deadLetterChannel, timeout(2_000)).waitForConfirms(anyLong());
        order.verify(channel, timeout(2_000)).basicAck(2, false);
        ArgumentCaptor<List<LiftRide>> written = listCaptor();
        verify(store, timeout(2_000)).insert(written.capture());
        assertThat(written.getValue()).extracting(LiftRide::eventId).containsExactly("good-1", "good-2");
        verify(channel, timeout(2_000)).basicAck(3, true);
    }

    @Test
    void aFloodOfPoisonIsDeadLetteredMessageByMessageButLoggedOnce() throws Exception {
        Logger consumerLog = (Logger) LoggerFactory.getLogger(RideConsumer.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        consumerLog.addAppender(lines);
        try {
            for (long tag = 1; tag <= 5; tag++) {
                deliver(tag, "poison-" + tag, 1, "not json".getBytes(UTF_8));
            }
            for (long tag = 1; tag <= 5; tag++) {
                verify(channel, timeout(2_000)).basicAck(tag, false);
            }
            verify(deadLetterChannel, times(5))
                    .basicPublish(eq(Topology.DEAD_LETTER_EXCHANGE), anyString(), eq(true), any(), any(byte[].class));
            assertThat(lines.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .filteredOn(line -> line.contains("dead-lettered"))
                    .as("one line for the five, within ten seconds")
                    .singleElement()
                    .asString()
                    .startsWith("test: dead-lettered message poison-1 (malformed-json: ");
        } finally {
            consumerLog.detachAppender(lines);
        }
    }

    @Test
    void aBatchOfOnlyPoisonAcksNothingElse() throws Exception {
        deliver(1, "v9", 9, RideJson.toMessage(new LiftRide("v9", 1, "2025", 1, 1, 1, 1, Instant.now())));
        verify(channel, timeout(2_000)).basicAck(1, false);
        Thread.sleep(300);
        verify(store, never()).insert(anyList());
        verify(channel, never()).basicAck(anyLong(), eq(true));
    }

    @Test
    void whenTheDeadLetterCopyFailsThePoisonIsRejectedToTheQueuesDeadLetterExchange() throws Exception {
        org.mockito.Mockito.doThrow(new java.io.IOException("channel closed"))
                .when(deadLetterChannel)
                .basicPublish(anyString(), anyString(), anyBoolean(), any(), any(byte[].class));
        deliver(4, "poison", 1, "[]".getBytes(UTF_8));
        verify(channel, timeout(2_000)).basicNack(4, false, false);
        verify(channel, never()).basicAck(eq(4L), anyBoolean());
    }

    @Test
    void subscribesAgainWhenItsChannelRecoveredWithoutItsConsumer() throws Exception {
        assertThat(consumer.isSubscribed()).isTrue();
        // What a broker restart looks like: the channel shuts down, then the client reopens it (isOpen() is true
        // again) but re-registers no consumer, because topology recovery is off.
        deliveries.handleShutdownSignal("tag", new ShutdownSignalException(true, false, null, connection));
        verify(channel, timeout(3_000).times(2))
                .basicConsume(eq(Topology.QUEUE), eq(false), anyString(), any(Consumer.class));
        Thread.sleep(200);
        assertThat(consumer.isSubscribed()).isTrue();
    }

    @Test
    void isNotReadyAfterTheBrokerCancelsItUntilItSubscribedAgain() throws Exception {
        when(connection.createChannel()).thenThrow(new java.io.IOException("connection closing"));
        deliveries.handleCancel("tag");
        assertThat(consumer.isSubscribed()).isFalse();
        verify(connection, timeout(3_000).atLeast(2)).createChannel();
        assertThat(consumer.isSubscribed()).isFalse();
    }

    @Test
    void aRideTheStoreRejectsIsDeadLetteredWhileTheOthersAreAcked() throws Exception {
        storeAnswers(2, 0, new RideStore.Rejected(1, RideStore.STORE_REJECTED, "code 121: Document failed validation"));
        deliverRide(1, "good-1");
        deliverRide(2, "rejected");
        deliverRide(3, "good-2");

        ArgumentCaptor<AMQP.BasicProperties> copy = ArgumentCaptor.forClass(AMQP.BasicProperties.class);
        verify(deadLetterChannel, timeout(2_000))
                .basicPublish(
                        eq(Topology.DEAD_LETTER_EXCHANGE), anyString(), eq(true), copy.capture(), any(byte[].class));
        assertThat(copy.getValue().getMessageId()).isEqualTo("rejected");
        assertThat(copy.getValue().getHeaders())
                .containsEntry("x-liftline-reason", "store-rejected")
                .containsEntry("x-liftline-detail", "code 121: Document failed validation");
        verify(channel, timeout(2_000)).basicAck(2, false);
        verify(channel, timeout(2_000)).basicAck(3, true);
        verify(store, org.mockito.Mockito.times(1)).insert(anyList());
    }

    @Test
    void theStoredRidesAreCountedIntoTheReadModelBeforeTheAckAndARejectedOneIsNot() throws Exception {
        storeAnswers(
                1,
                1,
                new RideStore.Rejected(1, RideStore.CONFLICTING_DUPLICATE, "event id b is stored with another ride"));
        deliverRide(1, "a");
        deliverRide(2, "b");
        deliverRide(3, "c"); // already stored (a redelivery): counted too, which is a no-op where it was counted

        @SuppressWarnings("unchecked")
        ArgumentCaptor<List<LiftRide>> counted = ArgumentCaptor.forClass(List.class);
        InOrder order = inOrder(store, channel);
        order.verify(store, timeout(2_000)).insert(anyList());
        order.verify(store, timeout(2_000)).summarize(counted.capture());
        order.verify(channel, timeout(2_000)).basicAck(3, true);
        assertThat(counted.getValue()).extracting(LiftRide::eventId).containsExactly("a", "c");
    }

    @Test
    void aBatchWhoseCountingFailsStaysUnackedAndIsCountedAgainUntilItSucceeds() throws Exception {
        when(store.insert(anyList())).thenReturn(new RideStore.WriteResult(1, 0));
        AtomicInteger attempts = new AtomicInteger();
        org.mockito.Mockito.doAnswer(i -> {
                    if (attempts.incrementAndGet() < 4) {
                        throw new MongoSocketException("store down", new ServerAddress());
                    }
                    return null;
                })
                .when(store)
                .summarize(anyList());
        deliverRide(5, "a");

        verify(channel, timeout(5_000)).basicAck(5, true);
        assertThat(attempts.get()).isEqualTo(4);
        verify(store, org.mockito.Mockito.times(1)).insert(anyList()); // the write is not repeated, the counting is
    }

    @Test
    void whenTheLastRideIsRejectedTheBatchIsAckedUpToTheRideBeforeIt() throws Exception {
        storeAnswers(2, 0, new RideStore.Rejected(2, RideStore.STORE_REJECTED, "code 121: Document failed validation"));
        deliverRide(1, "good-1");
        deliverRide(2, "good-2");
        deliverRide(3, "rejected");

        verify(channel, timeout(2_000)).basicAck(3, false);
        verify(channel, timeout(2_000)).basicAck(2, true);
        verify(channel, never()).basicAck(3, true);
    }

    @Test
    void aDeadLetterCopyThatReachedNoQueueIsRejectedToTheBrokersDeadLettering() throws Exception {
        ArgumentCaptor<com.rabbitmq.client.ReturnCallback> returns =
                ArgumentCaptor.forClass(com.rabbitmq.client.ReturnCallback.class);
        org.mockito.Mockito.doAnswer(i -> {
                    // the broker returns an unroutable mandatory message before confirming it
                    verify(deadLetterChannel).addReturnListener(returns.capture());
                    returns.getValue()
                            .handle(new com.rabbitmq.client.Return(
                                    312,
                                    "NO_ROUTE",
                                    Topology.DEAD_LETTER_EXCHANGE,
                                    "ride",
                                    i.getArgument(3),
                                    i.getArgument(4)));
                    return null;
                })
                .when(deadLetterChannel)
                .basicPublish(anyString(), anyString(), anyBoolean(), any(), any(byte[].class));
        deliver(5, "poison", 1, "{".getBytes(UTF_8));
        verify(channel, timeout(2_000)).basicNack(5, false, false);
        verify(channel, never()).basicAck(eq(5L), anyBoolean());
    }

    @SuppressWarnings("unchecked")
    private static ArgumentCaptor<List<LiftRide>> listCaptor() {
        return ArgumentCaptor.forClass(List.class);
    }

    /** The store's next answer: rides inserted, duplicates found, and the one ride it refused. */
    private void storeAnswers(int inserted, int duplicates, RideStore.Rejected rejected) {
        when(store.insert(anyList())).thenReturn(new RideStore.WriteResult(inserted, duplicates, List.of(rejected)));
    }
}
