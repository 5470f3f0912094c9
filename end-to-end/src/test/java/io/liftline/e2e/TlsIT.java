package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.producer.ProducerApp;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.service.edge.Tls;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Commands;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TestCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The producer over HTTPS only: curl, openssl and the simulator (as a process) against a self-signed certificate. */
class TlsIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @TempDir
    static Path dir;

    private static final String PASSWORD = "t1s-keystore-pass";
    private static Path certificate;
    private static Path truststore;
    private static TestPipeline pipeline;
    private static ProducerApp producer;

    private static Commands.Ran run(String... command) throws IOException, InterruptedException {
        return Commands.run(Duration.ofMinutes(2), List.of(command));
    }

    @BeforeAll
    static void startAProducerWithAKeystore() throws Exception {
        TestCertificate made = TestCertificate.make(dir, "producer", PASSWORD);
        certificate = made.pem();
        truststore = made.truststore();
        pipeline = TestPipeline.start(
                backends.rabbit().amqpUri(),
                backends.mongo(),
                p -> EdgeSettings.tls(
                        p.set(ProducerConfig.HTTP_PORT, -1).set(ProducerConfig.HTTPS_PORT, 0),
                        new Tls(made.keystore(), PASSWORD)),
                c -> c);
        producer = pipeline.producer;
    }

    @AfterAll
    static void stop() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void withTlsThereIsNoPlainPort() {
        assertThat(producer.port()).isEqualTo(-1);
        assertThat(producer.tlsPort()).isPositive();
    }

    @Test
    void curlPostsARideOverHttps() throws Exception {
        Commands.Ran curl = run(
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
        assertThat(curl.output()).isEqualTo("201 0");
        Commands.Ran plain = run(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "http://localhost:" + producer.tlsPort() + "/rides");
        assertThat(plain.output())
                .as("plain HTTP on the TLS port is not served")
                .doesNotStartWith("2");
    }

    @Test
    void tlsOlderThan12IsRefusedAnd12And13Are() throws Exception {
        String target = "127.0.0.1:" + producer.tlsPort();
        // SECLEVEL=0 lets this client offer TLS 1.1 at all; the refusal must come from the server.
        Commands.Ran old = run("openssl", "s_client", "-connect", target, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(old.exit()).as(old.output()).isNotZero();
        assertThat(old.output()).contains("alert protocol version");
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Commands.Ran ok =
                    run("openssl", "s_client", "-connect", target, version, "-CAfile", certificate.toString());
            assertThat(ok.output()).as(version).contains("Verify return code: 0 (ok)");
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
                "--mongodb-uri=" + backends.mongo().uri(),
                "--mongodb-database=" + backends.mongo().databaseName(),
                "--run-id=tls"));
        Commands.Ran simulator = run(command.toArray(String[]::new));
        assertThat(simulator.exit()).as(simulator.output()).isZero();
        assertThat(simulator.output())
                .contains("verified: 300 accepted, 300 stored, 0 missing, 0 altered, 0 duplicate");
    }
}
