package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BrokerConnectionTest {

    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    @Test
    void aPlainUriUsesTheNettyTransportAndSpeaksAmqpOnTheWire() throws Exception {
        byte[] first = firstBytesSent("amqp://guest:guest@127.0.0.1:%d/");
        assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo("AMQP");
    }

    @Test
    void anAmqpsUriNeverSendsPlainText() throws Exception {
        // The Netty transport ignores the TLS settings of an amqps:// URI; this fails if it is ever used for one.
        byte[] first = firstBytesSent("amqps://guest:guest@127.0.0.1:%d/");
        assertThat(first[0]).as("first byte on the wire is a TLS handshake record").isEqualTo(TLS_HANDSHAKE_RECORD);
    }

    @Test
    void choosesTheTransportByScheme() {
        try (BrokerConnection plain = new BrokerConnection("amqp://127.0.0.1:1/", "t", Duration.ofSeconds(1));
                BrokerConnection tls = new BrokerConnection("amqps://127.0.0.1:1/", "t", Duration.ofSeconds(1))) {
            assertThat(plain.transport()).isEqualTo("netty");
            assertThat(tls.transport()).isEqualTo("socket");
        }
    }

    @Test
    void rejectsAnInvalidUriWithoutShowingItsPassword() {
        assertThatThrownBy(() -> new BrokerConnection("http://user:hunter2@host/", "t", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid AMQP URI")
                .hasMessageNotContaining("hunter2");
    }

    /** Starts a connection to a listening socket that is no broker and returns the first 4 bytes it receives. */
    private static byte[] firstBytesSent(String uriPattern) throws IOException, InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                BrokerConnection connection = new BrokerConnection(
                        String.format(uriPattern, server.getLocalPort()), "transport-test", Duration.ofSeconds(10))) {
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
}
