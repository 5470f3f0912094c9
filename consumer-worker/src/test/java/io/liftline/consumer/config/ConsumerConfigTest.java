package io.liftline.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Values;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerConfigTest {

    @Test
    void prefetchDefaultsToTwiceTheBatch() {
        ConsumerConfig config =
                ConsumerConfig.from(ConfigSource.fromEnvironment(Map.of("LIFTLINE_BATCH_SIZE", "200")::get));
        assertThat(config.batchSize()).isEqualTo(200);
        assertThat(config.prefetch()).isEqualTo(400);
        assertThat(config.adminPort()).isEqualTo(9091);
        assertThat(config.mongodbDatabase()).isEqualTo("liftline");
    }

    @Test
    void theAdminPortHasTheNameEveryServiceUsesAndTheOldNameStillWorks() {
        assertThat(ConsumerConfig.from(ConfigSource.fromEnvironment(Map.of("LIFTLINE_ADMIN_PORT", "9191")::get))
                        .adminPort())
                .isEqualTo(9191);
        assertThat(ConsumerConfig.from(ConfigSource.fromEnvironment(Map.of("LIFTLINE_METRICS_PORT", "9192")::get))
                        .adminPort())
                .as("the old name, with a warning")
                .isEqualTo(9192);
        assertThat(ConsumerConfig.from(ConfigSource.from(new String[] {"--admin-port=9193"}, k -> null))
                        .adminPort())
                .isEqualTo(9193);
        assertThat(ConsumerConfig.from(ConfigSource.fromEnvironment(
                                Map.of("LIFTLINE_ADMIN_PORT", "9194", "LIFTLINE_METRICS_PORT", "9194")::get))
                        .adminPort())
                .isEqualTo(9194);
        assertThatThrownBy(() -> ConsumerConfig.from(ConfigSource.fromEnvironment(
                        Map.of("LIFTLINE_ADMIN_PORT", "9195", "LIFTLINE_METRICS_PORT", "9196")::get)))
                .hasMessageContaining("and its old name LIFTLINE_METRICS_PORT disagree")
                .hasMessageEndingWith("set only LIFTLINE_ADMIN_PORT");
    }

    @Test
    void secretsAreMaskedInToString() {
        ConsumerConfig config = ConsumerConfig.of(Values.defaults()
                .set(ConsumerConfig.AMQP_URI, "amqp://a:pw1@h/v")
                .set(ConsumerConfig.MONGODB_URI, "mongodb://b:pw2@db:27017"));
        assertThat(config.toString())
                .contains("amqp://a:****@h/v", "mongodb://b:****@db:27017")
                .doesNotContain("pw1", "pw2");
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> ConsumerConfig.of(
                        Values.defaults().set(ConsumerConfig.BATCH_SIZE, 100).set(ConsumerConfig.PREFETCH, 50)))
                .hasMessageStartingWith("LIFTLINE_PREFETCH must be >= LIFTLINE_BATCH_SIZE (100), was 50");
        assertThatThrownBy(() -> ConsumerConfig.of(Values.defaults().set(ConsumerConfig.ADMIN_PORT, -2)))
                .hasMessageStartingWith(
                        "LIFTLINE_ADMIN_PORT (--admin-port) must be 0..65535 (0 picks a free port) or -1 (off)");
        assertThatThrownBy(() -> ConsumerConfig.of(Values.defaults().set(ConsumerConfig.MONGODB_URI, "postgres://x")))
                .hasMessageStartingWith("LIFTLINE_MONGODB_URI (--mongodb-uri) must start with mongodb://");
        assertThatThrownBy(() -> ConsumerConfig.of(Values.defaults().set(ConsumerConfig.CONSUMERS, 0)))
                .hasMessage("LIFTLINE_CONSUMERS (--consumers) must be > 0, was 0");
        assertThatThrownBy(() -> ConsumerConfig.of(Values.defaults().set(ConsumerConfig.SHARDS, 0)))
                .hasMessage("LIFTLINE_SHARDS (--shards) must be 1..64, was 0");
        assertThatThrownBy(() -> ConsumerConfig.of(
                        Values.defaults().set(ConsumerConfig.BATCH_SIZE, 100).set(ConsumerConfig.PREFETCH, 70_000)))
                .hasMessage("LIFTLINE_PREFETCH (--prefetch) must be <= 65535 (an AMQP limit), was 70000");
        assertThatThrownBy(() -> ConsumerConfig.from(
                        ConfigSource.fromEnvironment(Map.of("LIFTLINE_BATCH_TIMEOUT", "soon")::get)))
                .hasMessageContaining("LIFTLINE_BATCH_TIMEOUT (--batch-timeout) must be a duration");
    }
}
