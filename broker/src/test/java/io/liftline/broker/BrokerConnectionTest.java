package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liftline.broker.BrokerConnection.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BrokerConnectionTest {

    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aPlainUriSpeaksAmqpOnTheWire(Transport transport) throws Exception {
        byte[] first = firstBytesSent("amqp://guest:guest@127.0.0.1:%d/", transport);
        assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo("AMQP");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAmqpsUriNeverSendsPlainText(Transport transport) throws Exception {
        // The Netty transport ignores the factory's TLS settings; this fails if it is ever used for amqps://.
        byte[] first = firstBytesSent("amqps://guest:guest@127.0.0.1:%d/", transport);
        assertThat(first[0])
                .as("first byte on the wire is a TLS handshake record")
                .isEqualTo(TLS_HANDSHAKE_RECORD);
    }

    @Test
    void usesTheTransportAskedForExceptThatTlsAlwaysUsesSockets() {
        try (BrokerConnection netty = connection("amqp://127.0.0.1:1/", Transport.NETTY);
                BrokerConnection socket = connection("amqp://127.0.0.1:1/", Transport.SOCKET);
                BrokerConnection tls = connection("amqps://127.0.0.1:1/", Transport.NETTY)) {
            assertThat(netty.transport()).isEqualTo(Transport.NETTY);
            assertThat(socket.transport()).isEqualTo(Transport.SOCKET);
            assertThat(tls.transport()).isEqualTo(Transport.SOCKET);
        }
    }

    @Test
    void rejectsAnInvalidUriWithoutShowingItsPassword() {
        assertThatThrownBy(() -> connection("http://user:hunter2@host/", Transport.NETTY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid AMQP URI")
                .hasMessageNotContaining("hunter2");
    }

    /** Starts a connection to a listening socket that is no broker and returns the first 4 bytes it receives. */
    private static byte[] firstBytesSent(String uriPattern, Transport transport) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                BrokerConnection connection = connection(String.format(uriPattern, server.getLocalPort()), transport)) {
            server.setSoTimeout(10_000);
            connection.start();
            try (Socket client = server.accept()) {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                byte[] first = in.readNBytes(4);
                assertThat(first).hasSize(4);
                return first;
            }
        }
    }

    private static BrokerConnection connection(String uri, Transport transport) {
        // a long retry interval: each test sees exactly one connection attempt
        return new BrokerConnection(uri, "transport-test", transport, Duration.ofSeconds(10));
    }
}
