package io.liftline.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liftline.runtime.ConfigSource;
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
        ConsumerConfig config = ConsumerConfig.builder()
                .amqpUri("amqp://a:pw1@h/v")
                .mongodbUri("mongodb://b:pw2@db:27017")
                .build();
        assertThat(config.toString())
                .contains("amqp://a:****@h/v", "mongodb://b:****@db:27017")
                .doesNotContain("pw1", "pw2");
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        assertThatThrownBy(() ->
                        ConsumerConfig.builder().batchSize(100).prefetch(50).build())
                .hasMessageStartingWith("LIFTLINE_PREFETCH must be >= LIFTLINE_BATCH_SIZE (100), was 50");
        assertThatThrownBy(() -> ConsumerConfig.builder().adminPort(-2).build())
                .hasMessageStartingWith(
                        "LIFTLINE_ADMIN_PORT (--admin-port) must be 0..65535 (0 picks a free port) or -1 (off)");
        assertThatThrownBy(() ->
                        ConsumerConfig.builder().mongodbUri("postgres://x").build())
                .hasMessageStartingWith("LIFTLINE_MONGODB_URI (--mongodb-uri) must start with mongodb://");
        assertThatThrownBy(() -> ConsumerConfig.builder().consumers(0).build())
                .hasMessage("LIFTLINE_CONSUMERS (--consumers) must be > 0, was 0");
        assertThatThrownBy(() -> ConsumerConfig.builder().shards(0).build())
                .hasMessage("LIFTLINE_SHARDS (--shards) must be 1..64, was 0");
        assertThatThrownBy(() ->
                        ConsumerConfig.builder().batchSize(100).prefetch(70_000).build())
                .hasMessage("LIFTLINE_PREFETCH (--prefetch) must be <= 65535 (an AMQP limit), was 70000");
        assertThatThrownBy(() -> ConsumerConfig.from(
                        ConfigSource.fromEnvironment(Map.of("LIFTLINE_BATCH_TIMEOUT", "soon")::get)))
                .hasMessageContaining("LIFTLINE_BATCH_TIMEOUT (--batch-timeout) must be a duration");
    }
}
