package io.liftline.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.service.edge.Bodies;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.service.edge.Tls;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.TcpProxy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The public edge's bounds against the real broker: rate limits, connection limits, timeouts, interfaces. */
class EdgeIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    private static final String RIDE =
            "{\"resortID\": 3, \"seasonID\": \"2025\", \"dayID\": 1, \"skierID\": 1, \"time\": 1, \"liftID\": 1}";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private ProducerApp start(Values config) throws Exception {
        ProducerApp producer = ProducerApp.start(ProducerConfig.of(config.set(ProducerConfig.AMQP_URI, rabbit.amqpUri())
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)));
        open.add(producer);
        assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
        try (Channel channel = rabbit.connection().createChannel()) { // the producer declared the queue
            channel.queuePurge(Topology.QUEUE);
        }
        return producer;
    }

    private static String batch(int rides) {
        return "[" + String.join(",", java.util.Collections.nCopies(rides, RIDE)) + "]";
    }

    @Test
    void aClientBeyondItsRateGets429WithRetryAfterAndItsRidesAreNotPublished() throws Exception {
        ProducerClient client = new ProducerClient(
                start(Values.defaults().set(EdgeSettings.RATE_LIMIT, 2.0).set(EdgeSettings.RATE_LIMIT_BURST, 10))
                        .port());
        assertThat(client.postJson("/rides", batch(11)).statusCode())
                .as("more than the burst can never pass")
                .isEqualTo(400);
        assertThat(client.postJson("/rides", batch(8)).statusCode()).isEqualTo(201);
        assertThat(client.postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY)
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> refused = client.postJson("/rides", batch(5)); // a batch counts its rides: 9 + 5 > 10
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(refused.headers().firstValue("Retry-After").map(Long::parseLong))
                .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 3L));
        assertThat(RideJson.MAPPER.readTree(refused.body()).path("message").asText())
                .startsWith("rate limit: at most 2 rides per second per client (bursts of 10)");
        assertThat(rabbit.readyMessages(Topology.QUEUE))
                .as("only the 9 accepted rides")
                .isEqualTo(9);
        // Refilled at 2 rides a second, so a single ride passes again within a second or so.
        Poll.waitAtMost(
                Duration.ofSeconds(5),
                "a ride accepted after the refill",
                () -> client.postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY)
                                .statusCode()
                        == 201);
    }

    @Test
    void anOpenProducerLimitsEachClientAddressOnItsOwn() throws Exception {
        ProducerApp producer =
                start(Values.defaults().set(EdgeSettings.RATE_LIMIT, 1.0).set(EdgeSettings.RATE_LIMIT_BURST, 2));
        for (int i = 0; i < 2; i++) {
            assertThat(rawPost("127.0.0.1", producer.port(), batch(1))).startsWith("HTTP/1.1 201");
        }
        assertThat(rawPost("127.0.0.1", producer.port(), batch(1))).startsWith("HTTP/1.1 429");
        assertThat(rawPost("127.0.0.2", producer.port(), batch(1)))
                .as("another address has its own allowance")
                .startsWith("HTTP/1.1 201");
    }

    /** One POST /rides from the given local address (the loopback network is all of 127/8). */
    private static String rawPost(String from, int port, String body) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(10_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream()
                    .write(("POST /rides HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                    + "Content-Length: " + bytes.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aBodyStillTricklingInAfterTheBodyTimeoutIsAbandonedWith408() throws Exception {
        ProducerApp producer = start(Values.defaults());
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), producer.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST /rides HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n[")
                            .getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 60 && in.available() == 0; i++) { // 1 byte each 250 ms, never idle, never done
                out.write(' ');
                out.flush();
                Thread.sleep(250);
            }
            String answer = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Bodies.DEADLINE.minusSeconds(1), Bodies.DEADLINE.plusSeconds(4));
            assertThat(answer).startsWith("HTTP/1.1 408");
        }
        assertThat(rabbit.readyMessages(Topology.QUEUE)).isZero();
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        ProducerApp producer = start(Values.defaults().set(EdgeSettings.IDLE_TIMEOUT, Duration.ofSeconds(1)));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), producer.port())) {
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read())
                    .as("closed by the producer")
                    .isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
        }
    }

    @Test
    void bindAddressesChooseTheInterfacesOfEachPort() throws Exception {
        ProducerApp producer = start(Values.defaults()
                .set(EdgeSettings.BIND_ADDRESS, "127.0.0.1")
                .set(EdgeSettings.ADMIN_BIND_ADDRESS, "127.0.0.3"));
        assertThat(new ProducerClient(producer.port())
                        .postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY)
                        .statusCode())
                .isEqualTo(201);
        assertThatThrownBy(() -> new Socket("127.0.0.2", producer.port()).close())
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", producer.adminPort()).close())
                .isInstanceOf(ConnectException.class);
        try (Socket admin = new Socket("127.0.0.3", producer.adminPort())) {
            assertThat(admin.isConnected()).isTrue();
        }
    }

    @Test
    void theProducerRefusesToStartWithNothingToServe(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ProducerConfig.of(Values.defaults().set(ProducerConfig.HTTP_PORT, -1)))
                .hasMessageContaining("the service would serve nothing");
        Path keystore = Files.writeString(dir.resolve("not-a-keystore.p12"), "nope");
        try (TcpProxy proxy = rabbit.proxy()) {
            assertThatThrownBy(() -> ProducerApp.start(ProducerConfig.of(EdgeSettings.tls(
                                    Values.defaults()
                                            .set(ProducerConfig.AMQP_URI, rabbit.amqpUriThrough(proxy))
                                            .set(ProducerConfig.HTTPS_PORT, 0)
                                            .set(ProducerConfig.ADMIN_PORT, 0),
                                    new Tls(keystore, "secret"))))
                            .close())
                    .isInstanceOf(Exception.class);
            // A start that failed leaves no broker connection behind, even one that was still being made.
            Poll.waitAtMost(Duration.ofSeconds(10), "no broker connection left open", () -> proxy.connections() == 0);
        }
    }
}
