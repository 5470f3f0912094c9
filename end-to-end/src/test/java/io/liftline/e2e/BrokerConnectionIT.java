package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.BrokerConnection;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.TcpProxy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The application's broker connection against a broker that refuses what it asks. */
class BrokerConnectionIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    @Test
    void aTopologyItMayNotDeclareKeepsItRetryingOnOneConnectionAtATime() throws Exception {
        String user = "liftline-test-noconfigure-" + Long.toHexString(System.nanoTime());
        rabbit.management().putUser(user, "secret", "");
        try {
            // Write and read, but no configure: declaring the exchange is refused (a channel error, 403).
            rabbit.management().setPermissions(rabbit.vhost(), user, "^$", ".*", ".*");
            AtomicInteger mostOpen = new AtomicInteger();
            try (TcpProxy proxy = rabbit.proxy();
                    BrokerConnection connection = new BrokerConnection(
                            "amqp://" + user + ":secret@127.0.0.1:" + proxy.port() + "/"
                                    + URLEncoder.encode(rabbit.vhost(), StandardCharsets.UTF_8),
                            "leak-probe",
                            BrokerConnection.Transport.SOCKET,
                            Duration.ofMillis(100))) {
                connection.start();
                Poll.waitAtMost(Duration.ofSeconds(20), "20 attempts", () -> {
                    mostOpen.accumulateAndGet(proxy.connections(), Math::max);
                    return proxy.accepted() >= 20;
                });
                assertThat(connection.isConnected()).isFalse();
                // Refused the declaration, it checked the topology instead (passively), and found it missing.
                assertThat(connection.unavailableReason())
                        .contains(
                                "cannot declare the topology",
                                "this user may not declare it",
                                "no exchange 'lift-rides'");
                assertThat(mostOpen.get())
                        .as("connections open at once while it retried")
                        .isEqualTo(1);
            }
        } finally {
            rabbit.management().deleteUser(user);
        }
    }

    @ParameterizedTest
    @EnumSource(BrokerConnection.Transport.class)
    void closingItWhileItConnectsLeavesNoConnectionBehind(BrokerConnection.Transport transport) throws Exception {
        try (TcpProxy proxy = rabbit.proxy()) {
            proxy.pauseRepliesWhenAChannelOpens(); // the topology's declaration waits on its channel
            BrokerConnection connection = new BrokerConnection(
                    rabbit.amqpUriThrough(proxy), "closed-while-connecting", transport, Duration.ofMillis(100));
            connection.start();
            Poll.waitAtMost(Duration.ofSeconds(5), "the client to open a channel", proxy::pausingReplies);
            connection.close(); // as an application does when it fails to start
            proxy.resume();
            Poll.waitAtMost(
                    Duration.ofSeconds(10), "the connection made after close() closed", () -> proxy.connections() == 0);
            assertThat(connection.isConnected()).isFalse();
        }
    }

    /**
     * An application that fails to start closes its connection at whatever moment its first connect has reached.
     * Closes swept over the first 40 ms of the connect land in every step of it (TCP connect, handshake, topology).
     * Before close() waited for the attempt in flight, about one close in ten on Netty left a socket open that the
     * broker dropped only at its 10 s handshake timeout.
     */
    @ParameterizedTest
    @EnumSource(BrokerConnection.Transport.class)
    void closingItAtAnyMomentOfItsFirstConnectLeavesNoConnectionBehind(BrokerConnection.Transport transport)
            throws Exception {
        try (TcpProxy proxy = rabbit.proxy()) {
            for (long micros = 0; micros < 40_000; micros += 250) {
                BrokerConnection connection = new BrokerConnection(
                        rabbit.amqpUriThrough(proxy), "closed-at-" + micros + "us", transport, Duration.ofMillis(100));
                connection.start();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
                connection.close();
            }
            assertThat(proxy.accepted())
                    .as("most closes came after the connect had begun")
                    .isGreaterThan(100);
            Poll.waitAtMost(
                    Duration.ofSeconds(3),
                    "every connection closed (a leaked one stays 10 s)",
                    () -> proxy.connections() == 0);
        }
    }
}
