package io.liftline.producer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Values;
import io.liftline.service.edge.EdgeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerConfigTest {

    @Test
    void defaultsAreTheContracts() {
        ProducerConfig config = ProducerConfig.from(ConfigSource.fromEnvironment(Map.<String, String>of()::get));
        assertThat(config.amqpUri()).isEqualTo("amqp://guest:guest@127.0.0.1:5672/%2F");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.publishTimeout()).isEqualTo(ProducerConfig.DEFAULT_PUBLISH_TIMEOUT);
        assertThat(config.ranges().range("skierID").max()).isEqualTo(100_000);
    }

    @Test
    void everySettingComesFromItsVariableOrFlag() {
        Map<String, String> env = Map.of(
                "LIFTLINE_AMQP_URI",
                "amqp://app:s3cret@rabbit:5672/prod",
                "LIFTLINE_PUBLISH_TIMEOUT",
                "750ms",
                "LIFTLINE_RANGES",
                "liftID=1..60");
        ProducerConfig config = ProducerConfig.from(
                ConfigSource.from(new String[] {"--http-port=9000", "--channel-pool-size", "6"}, env::get));
        assertThat(config.httpPort()).isEqualTo(9000);
        assertThat(config.channelPoolSize()).isEqualTo(6);
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.ranges().range("liftID").max()).isEqualTo(60);
        assertThat(config.toString())
                .contains("amqp://app:****@rabbit:5672/prod")
                .doesNotContain("s3cret");
    }

    @Test
    void withTlsThePlainPortIsOffUnlessAskedForAndThePasswordCanComeFromAFile(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "k3ystore-pass\n");
        Map<String, String> env = Map.of(
                "LIFTLINE_TLS_KEYSTORE",
                "/etc/liftline/producer.p12",
                "LIFTLINE_TLS_KEYSTORE_PASSWORD_FILE",
                password.toString());
        ProducerConfig tls = ProducerConfig.from(ConfigSource.fromEnvironment(env::get));
        assertThat(tls.httpPort()).isEqualTo(-1);
        assertThat(tls.httpsPort()).isEqualTo(8443);
        assertThat(tls.tls().password()).isEqualTo("k3ystore-pass");
        assertThat(tls.toString())
                .contains("httpPort=off", "tlsKeystore=/etc/liftline/producer.p12", "tlsKeystorePassword=****")
                .doesNotContain("k3ystore-pass");
        ProducerConfig both = ProducerConfig.from(ConfigSource.from(new String[] {"--http-port=8080"}, env::get));
        assertThat(both.httpPort()).isEqualTo(8080);
        assertThatThrownBy(() -> ProducerConfig.from(
                        ConfigSource.fromEnvironment(Map.of("LIFTLINE_TLS_KEYSTORE", "x.p12")::get)))
                .hasMessageStartingWith("LIFTLINE_TLS_KEYSTORE_PASSWORD");
    }

    @Test
    void theEdgeHasBoundsByDefaultAndTheBurstFollowsTheRate() {
        ProducerConfig defaults = ProducerConfig.of(Values.defaults());
        assertThat(defaults.adminPort()).isEqualTo(9090);
        assertThat(defaults.maxRideBodyBytes()).isEqualTo(4096);
        assertThat(defaults.rateLimit()).isZero();
        ProducerConfig limited =
                ProducerConfig.from(ConfigSource.fromEnvironment(Map.of("LIFTLINE_RATE_LIMIT", "2.5")::get));
        assertThat(limited.rateLimitBurst()).isEqualTo(25);
        assertThatThrownBy(() -> ProducerConfig.of(Values.defaults().set(EdgeSettings.RATE_LIMIT, -1.0)))
                .hasMessage("LIFTLINE_RATE_LIMIT (--rate-limit) must be 0 or more, was -1.0");
        assertThatThrownBy(() -> ProducerConfig.of(Values.defaults().set(ProducerConfig.ADMIN_PORT, -2)))
                .hasMessageStartingWith("LIFTLINE_ADMIN_PORT (--admin-port) must be 0..65535");
    }

    @Test
    void theStartUpLineShowsEverySettingAndNoSecret() {
        ProducerConfig config = ProducerConfig.from(ConfigSource.fromEnvironment(
                Map.of("LIFTLINE_AMQP_URI", "amqp://app:s3cret@rabbit:5672/prod", "LIFTLINE_ADMIN_PORT", "-1")::get));
        String line = config.toString();
        for (var setting : ProducerConfig.SETTINGS.all()) {
            assertThat(line).contains(setting.name() + "=");
        }
        assertThat(line)
                .contains("adminPort=off", "publishTimeout=5s", "bindAddress=all interfaces")
                .doesNotContain("s3cret");
    }

    @Test
    void helpListsEverySettingWithItsDefault() {
        assertThat(ProducerConfig.SETTINGS.usage("java -jar liftline-producer-api.jar"))
                .contains(
                        "--publish-timeout",
                        "LIFTLINE_PUBLISH_TIMEOUT [5s]",
                        "--http-port",
                        "LIFTLINE_HTTP_PORT [8080]",
                        "--admin-port",
                        "LIFTLINE_ADMIN_PORT [9090]",
                        "LIFTLINE_TLS_KEYSTORE_PASSWORD [unset]");
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        assertThatThrownBy(
                        () -> ProducerConfig.of(Values.defaults().set(ProducerConfig.PUBLISH_TIMEOUT, Duration.ZERO)))
                .hasMessage("LIFTLINE_PUBLISH_TIMEOUT (--publish-timeout) must be > 0, was 0s");
        assertThatThrownBy(() -> ProducerConfig.of(Values.defaults().set(ProducerConfig.CHANNEL_POOL_SIZE, 0)))
                .hasMessage("LIFTLINE_CHANNEL_POOL_SIZE (--channel-pool-size) must be > 0, was 0");
        assertThatThrownBy(() -> ProducerConfig.of(Values.defaults().set(ProducerConfig.HTTP_PORT, 70_000)))
                .hasMessageStartingWith("LIFTLINE_HTTP_PORT (--http-port) must be 0..65535");
        assertThatThrownBy(
                        () -> ProducerConfig.of(Values.defaults().set(ProducerConfig.AMQP_URI, "http://user:pw@host")))
                .hasMessage(
                        "LIFTLINE_AMQP_URI (--amqp-uri) must start with amqp:// or amqps://, was http://user:****@host");
        assertThatThrownBy(
                        () -> ProducerConfig.from(ConfigSource.fromEnvironment(Map.of("LIFTLINE_SHARDS", "65")::get)))
                .hasMessage("LIFTLINE_SHARDS (--shards) must be 1..64, was 65");
        assertThatThrownBy(() -> ProducerConfig.from(
                        ConfigSource.fromEnvironment(Map.of("LIFTLINE_RANGES", "liftid=1..9")::get)))
                .hasMessageStartingWith("LIFTLINE_RANGES (--ranges) must be id ranges")
                .hasMessageContaining("unknown field 'liftid'");
        assertThatThrownBy(() -> ProducerConfig.from(ConfigSource.from(new String[] {"--mongodb-uri=x"}, k -> null)))
                .hasMessageStartingWith("unknown flag --mongodb-uri");
    }
}
