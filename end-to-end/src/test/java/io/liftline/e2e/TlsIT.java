package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.consumer.ConsumerApp;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.producer.ProducerApp;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.service.edge.Tls;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The producer over HTTPS only: curl, openssl and the simulator (as a process) against a self-signed certificate. */
class TlsIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    @TempDir
    static Path dir;

    private static final String PASSWORD = "t1s-keystore-pass";
    private static Path certificate;
    private static Path truststore;
    private static ProducerApp producer;
    private static ConsumerApp consumer;

    private record Run(int exit, String out) {}

    private static Run run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        return new Run(process.exitValue(), out);
    }

    @BeforeAll
    static void startAProducerWithAKeystore() throws Exception {
        Path keystore = dir.resolve("producer.p12");
        certificate = dir.resolve("producer.pem");
        truststore = dir.resolve("trust.p12");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        assertThat(run(
                                keytool,
                                "-genkeypair",
                                "-alias",
                                "producer",
                                "-keyalg",
                                "EC",
                                "-groupname",
                                "secp256r1",
                                "-dname",
                                "CN=localhost",
                                "-ext",
                                "SAN=dns:localhost,ip:127.0.0.1",
                                "-validity",
                                "2",
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                keystore.toString(),
                                "-storepass",
                                PASSWORD)
                        .exit())
                .isZero();
        assertThat(run(
                                keytool,
                                "-exportcert",
                                "-rfc",
                                "-alias",
                                "producer",
                                "-keystore",
                                keystore.toString(),
                                "-storepass",
                                PASSWORD,
                                "-file",
                                certificate.toString())
                        .exit())
                .isZero();
        assertThat(run(
                                keytool,
                                "-importcert",
                                "-noprompt",
                                "-alias",
                                "producer",
                                "-file",
                                certificate.toString(),
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                truststore.toString(),
                                "-storepass",
                                "changeit")
                        .exit())
                .isZero();
        producer = ProducerApp.start(ProducerConfig.builder()
                .amqpUri(rabbit.amqpUri())
                .httpsPort(0)
                .adminPort(0)
                .tls(new Tls(keystore, PASSWORD))
                .build());
        assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
        consumer = ConsumerApp.start(ConsumerConfig.builder()
                .amqpUri(rabbit.amqpUri())
                .mongodbUri(mongo.uri())
                .mongodbDatabase(mongo.databaseName())
                .adminPort(-1)
                .build());
        Poll.waitAtMost(Duration.ofSeconds(20), "the worker subscribed", () -> consumer.notReadyReason() == null);
    }

    @AfterAll
    static void stop() throws Exception {
        consumer.close();
        producer.close();
    }

    @Test
    void withTlsThereIsNoPlainPort() {
        assertThat(producer.port()).isEqualTo(-1);
        assertThat(producer.tlsPort()).isPositive();
    }

    @Test
    void curlPostsARideOverHttps() throws Exception {
        Run curl = run(
                "curl",
                "-sS",
                "--cacert",
                certificate.toString(),
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{ssl_verify_result}",
                "-H",
                "Content-Type: application/json",
                "--data",
                "{\"time\": 217, \"liftID\": 21}",
                "https://localhost:" + producer.tlsPort() + "/skiers/3/seasons/2025/days/1/skiers/7");
        assertThat(curl.out()).isEqualTo("201 0");
        Run plain = run(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "http://localhost:" + producer.tlsPort() + "/rides");
        assertThat(plain.out()).as("plain HTTP on the TLS port is not served").doesNotStartWith("2");
    }

    @Test
    void tlsOlderThan12IsRefusedAnd12And13Are() throws Exception {
        String target = "127.0.0.1:" + producer.tlsPort();
        // SECLEVEL=0 lets this client offer TLS 1.1 at all; the refusal must come from the server.
        Run old = run("openssl", "s_client", "-connect", target, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(old.exit()).as(old.out()).isNotZero();
        assertThat(old.out()).contains("alert protocol version");
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Run ok = run("openssl", "s_client", "-connect", target, version, "-CAfile", certificate.toString());
            assertThat(ok.out()).as(version).contains("Verify return code: 0 (ok)");
        }
    }

    @Test
    void theSimulatorRunsOverHttpsAndEveryRideIsStored() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Djavax.net.ssl.trustStore=" + truststore,
                "-Djavax.net.ssl.trustStorePassword=changeit",
                "-jar",
                RepositoryFiles.resolve("scanner-simulator/target/liftline-scanner-simulator.jar")
                        .toString(),
                "--url=https://localhost:" + producer.tlsPort(),
                "--events=300",
                "--threads=4",
                "--verify",
                "--mongodb-uri=" + mongo.uri(),
                "--mongodb-database=" + mongo.databaseName(),
                "--run-id=tls"));
        Run simulator = run(command.toArray(String[]::new));
        assertThat(simulator.exit()).as(simulator.out()).isZero();
        assertThat(simulator.out()).contains("verified: 300 accepted, 300 stored, 0 missing, 0 altered, 0 duplicate");
    }
}
