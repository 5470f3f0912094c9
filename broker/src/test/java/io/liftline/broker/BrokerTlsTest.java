package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.BrokerConnection.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An amqps:// connection verifies the broker's certificate and host name against the JVM's trust store: the
 * applications' recovering {@link BrokerConnection}, and {@link BrokerClients#connect}, which the ops tools, the
 * benchmarks and the tests connect with.
 */
class BrokerTlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    /** A service's connection and a tool's reach a broker only if its certificate is trusted and names its host. */
    @ParameterizedTest(name = "a broker with the {0} certificate sees: {1}")
    @CsvSource({
        "trusted-broker.p12, AMQP",
        "untrusted-broker.p12, handshake failed",
        "wrong-host-broker.p12, handshake failed"
    })
    void servicesAndToolsConnectOnlyToABrokerWhoseCertificateIsTrustedForItsHost(String keyStore, String seen)
            throws Exception {
        assertThat(whatTheBrokerSaw(keyStore)).as("a service's connection").startsWith(seen);
        assertThat(whatATool(keyStore)).as("a tool's connection").startsWith(seen);
    }

    /** What the broker saw of a one-shot {@link BrokerClients#connect}, the tools' way in. */
    private static String whatATool(String keyStore) throws Exception {
        return whatTheBrokerSaw(keyStore, uri -> {
            try {
                BrokerClients.connect(uri, "tls-tool-test").close();
            } catch (Exception expected) {
                // the fake broker never answers the AMQP handshake, or the client refused its certificate
            }
            return null;
        });
    }

    private static String whatTheBrokerSaw(String keyStore) throws Exception {
        return whatTheBrokerSaw(keyStore, uri -> {
            BrokerConnection connection =
                    new BrokerConnection(uri, "tls-test", Transport.NETTY, Duration.ofSeconds(10));
            connection.start();
            return connection;
        });
    }

    /**
     * Listens with TLS and the given certificate, lets a connection try it, and returns the first 4 bytes the
     * client sent inside TLS, or why the handshake failed.
     */
    private static String whatTheBrokerSaw(String keyStore, Function<String, AutoCloseable> connect) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) serverContext(keyStore)
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket client = (SSLSocket) server.accept()) {
                    client.setSoTimeout(10_000);
                    try {
                        client.startHandshake();
                    } catch (IOException e) {
                        return "handshake failed: " + e.getMessage();
                    }
                    InputStream in = client.getInputStream();
                    return new String(in.readNBytes(4), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    return "no connection: " + e;
                }
            });
            String uri = "amqps://guest:guest@127.0.0.1:" + server.getLocalPort() + "/";
            CompletableFuture<AutoCloseable> connecting = CompletableFuture.supplyAsync(() -> connect.apply(uri));
            try {
                return seen.get(15, TimeUnit.SECONDS);
            } finally {
                AutoCloseable connection = connecting.get(15, TimeUnit.SECONDS);
                if (connection != null) {
                    connection.close();
                }
            }
        }
    }

    private static SSLContext serverContext(String keyStore) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = BrokerTlsTest.class.getResourceAsStream("/tls/" + keyStore)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
