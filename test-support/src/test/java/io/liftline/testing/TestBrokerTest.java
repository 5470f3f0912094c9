package io.liftline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestBrokerTest {

    private static final Duration NO_HANG = Duration.ofSeconds(15);

    @Test
    void anExplicitUriWinsOverDockerAndTheLocalBroker() {
        TestBroker.Endpoint endpoint = TestBroker.resolve(
                Map.of("LIFTLINE_AMQP_URI", "amqp://app:secret@rabbit.example:5673/%2F")::get, () -> {
                    throw new AssertionError("Docker must not be asked when the URI is explicit");
                });
        assertThat(endpoint.amqpUri()).isEqualTo(URI.create("amqp://app:secret@rabbit.example:5673"));
        assertThat(endpoint.managementUri()).isEqualTo(URI.create("http://rabbit.example:15672/"));
        assertThat(endpoint.username()).isEqualTo("app");
        assertThat(endpoint.password()).isEqualTo("secret");
        assertThat(endpoint.toString()).doesNotContain("secret");
    }

    @Test
    void anExplicitManagementUriIsUsedAsGiven() {
        TestBroker.Endpoint endpoint = TestBroker.resolve(
                Map.of("LIFTLINE_AMQP_URI", "amqp://h", "LIFTLINE_AMQP_MANAGEMENT_URI", "http://h:25672/")::get,
                () -> false);
        assertThat(endpoint.managementUri()).isEqualTo(URI.create("http://h:25672/"));
        assertThat(endpoint.username()).isEqualTo("guest");
    }

    @Test
    void withoutDockerOrUriTheLocalBrokerIsUsed() {
        TestBroker.Endpoint endpoint = TestBroker.resolve(Map.<String, String>of()::get, () -> false);
        assertThat(endpoint.amqpUri()).isEqualTo(URI.create("amqp://guest:guest@127.0.0.1:5672"));
        assertThat(endpoint.source()).isEqualTo("local broker");
    }

    @Test
    void aClosedPortFailsFastSayingHowToProvideABroker() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        TestBroker.Endpoint endpoint = TestBroker.resolve(
                Map.of("LIFTLINE_AMQP_URI", "amqp://guest:guest@127.0.0.1:" + closedPort)::get, () -> false);
        assertTimeoutPreemptively(
                NO_HANG,
                () -> assertThatThrownBy(() -> TestBroker.requireAnswers(endpoint))
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("No RabbitMQ broker answers at amqp://guest:****@127.0.0.1:" + closedPort)
                        .hasMessageContaining("scripts/test")
                        .hasMessageContaining("LIFTLINE_AMQP_URI"));
    }

    @Test
    void aPortThatAcceptsButNeverSpeaksAmqpFailsInsteadOfHanging() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(NO_HANG.toMillis());
                } catch (Exception done) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            TestBroker.Endpoint endpoint = TestBroker.resolve(
                    Map.of("LIFTLINE_AMQP_URI", "amqp://127.0.0.1:" + silent.getLocalPort())::get, () -> false);
            assertTimeoutPreemptively(
                    NO_HANG,
                    () -> assertThatThrownBy(() -> TestBroker.requireAnswers(endpoint))
                            .isInstanceOf(AssertionError.class)
                            .hasMessageContaining("No RabbitMQ broker answers"));
        }
    }
}
