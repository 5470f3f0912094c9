package io.liftline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

    private static final Map<String, String> ENV =
            Map.of("LIFTLINE_HTTP_PORT", "9000", "LIFTLINE_AMQP_URI", "amqp://env");

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        ConfigSource config = ConfigSource.from(new String[] {"--amqp-uri=amqp://flag"}, ENV::get);
        assertThat(config.get("LIFTLINE_AMQP_URI", "amqp://default")).isEqualTo("amqp://flag");
        assertThat(config.getInt("LIFTLINE_HTTP_PORT", 8080)).isEqualTo(9000);
        assertThat(config.get("LIFTLINE_MONGODB_DATABASE", "liftline")).isEqualTo("liftline");
    }

    @Test
    void flagValuesMayFollowAsTheNextArgument() {
        ConfigSource config = ConfigSource.from(new String[] {"--http-port", "7000", "--help"}, ENV::get);
        assertThat(config.getInt("LIFTLINE_HTTP_PORT", 8080)).isEqualTo(7000);
        assertThat(config.helpRequested()).isTrue();
    }

    @Test
    void aSettingMayComeFromTheFileItsFileVariableNames(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("amqp-uri"), "amqp://producer:s3cret@broker:5672/%2F\n");
        ConfigSource fromEnv =
                ConfigSource.from(new String[0], Map.of("LIFTLINE_AMQP_URI_FILE", secret.toString())::get);
        assertThat(fromEnv.get("LIFTLINE_AMQP_URI", "amqp://default"))
                .isEqualTo("amqp://producer:s3cret@broker:5672/%2F");

        ConfigSource fromFlag = ConfigSource.from(new String[] {"--amqp-uri-file=" + secret}, ENV::get);
        fromFlag.rejectUnknownFlags(List.of("LIFTLINE_AMQP_URI"));
        assertThat(fromFlag.get("LIFTLINE_AMQP_URI", "amqp://default")).startsWith("amqp://producer:");

        ConfigSource valueWins = ConfigSource.from(
                new String[0],
                Map.of("LIFTLINE_AMQP_URI", "amqp://env", "LIFTLINE_AMQP_URI_FILE", secret.toString())::get);
        assertThat(valueWins.get("LIFTLINE_AMQP_URI", null)).isEqualTo("amqp://env");
    }

    @Test
    void anUnreadableSecretFileIsNamedButNeverQuoted(@TempDir Path dir) {
        ConfigSource config = ConfigSource.from(
                new String[0],
                Map.of("LIFTLINE_AMQP_URI_FILE", dir.resolve("missing").toString())::get);
        assertThatThrownBy(() -> config.get("LIFTLINE_AMQP_URI", null))
                .hasMessageStartingWith(
                        "LIFTLINE_AMQP_URI_FILE (--amqp-uri-file) names '" + dir.resolve("missing") + "'");
    }

    @Test
    void blankValuesCountAsUnset() {
        ConfigSource config = ConfigSource.from(new String[0], Map.of("LIFTLINE_HTTP_PORT", " ")::get);
        assertThat(config.getInt("LIFTLINE_HTTP_PORT", 8080)).isEqualTo(8080);
    }

    @Test
    void badValuesAreNamedWithTheirVariableAndFlag() {
        ConfigSource config =
                ConfigSource.from(new String[] {"--http-port=eighty", "--publish-timeout=soon"}, ENV::get);
        assertThatThrownBy(() -> config.getInt("LIFTLINE_HTTP_PORT", 8080))
                .hasMessage("LIFTLINE_HTTP_PORT (--http-port) must be an integer, was 'eighty'");
        assertThatThrownBy(() -> config.getDuration("LIFTLINE_PUBLISH_TIMEOUT", Duration.ofSeconds(5)))
                .hasMessage(
                        "LIFTLINE_PUBLISH_TIMEOUT (--publish-timeout) must be a duration such as 250ms, 5s or 2m, was 'soon'");
    }

    @Test
    void durationsTakeUnitsOrIso8601() {
        Map<String, String> env =
                Map.of("LIFTLINE_A", "250ms", "LIFTLINE_B", "5s", "LIFTLINE_C", "2m", "LIFTLINE_D", "PT1.5S");
        ConfigSource config = ConfigSource.fromEnvironment(env::get);
        assertThat(config.getDuration("LIFTLINE_A", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(config.getDuration("LIFTLINE_B", null)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.getDuration("LIFTLINE_C", null)).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.getDuration("LIFTLINE_D", null)).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.getDuration("LIFTLINE_E", Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void unknownFlagsAndStrayArgumentsAreRejected() {
        ConfigSource config = ConfigSource.from(new String[] {"--htp-port=1"}, ENV::get);
        assertThatThrownBy(() -> config.rejectUnknownFlags(List.of("LIFTLINE_HTTP_PORT", "LIFTLINE_AMQP_URI")))
                .hasMessage("unknown flag --htp-port; known flags: [--amqp-uri, --http-port]");
        assertThatThrownBy(() -> ConfigSource.from(new String[] {"8080"}, ENV::get))
                .hasMessageContaining("unexpected argument '8080'");
        assertThatThrownBy(() -> ConfigSource.from(new String[] {"--http-port"}, ENV::get)
                        .getInt("LIFTLINE_HTTP_PORT", 1))
                .hasMessage("LIFTLINE_HTTP_PORT (--http-port) must be an integer, was 'true'");
    }

    @Test
    void aFlagWithoutValueIsASwitch() {
        ConfigSource config = ConfigSource.from(new String[] {"--verify", "--events", "10", "--keep"}, ENV::get);
        assertThat(config.getBoolean("LIFTLINE_VERIFY", false)).isTrue();
        assertThat(config.getBoolean("LIFTLINE_KEEP", false)).isTrue();
        assertThat(config.getInt("LIFTLINE_EVENTS", 0)).isEqualTo(10);
        assertThat(ConfigSource.fromEnvironment(Map.of("LIFTLINE_VERIFY", "no")::get)
                        .getBoolean("LIFTLINE_VERIFY", true))
                .isFalse();
        assertThatThrownBy(() -> ConfigSource.fromEnvironment(Map.of("LIFTLINE_VERIFY", "maybe")::get)
                        .getBoolean("LIFTLINE_VERIFY", true))
                .hasMessage("LIFTLINE_VERIFY (--verify) must be true or false, was 'maybe'");
    }

    @Test
    void flagNamesDeriveFromVariables() {
        assertThat(ConfigSource.flagName("LIFTLINE_MONGODB_URI")).isEqualTo("--mongodb-uri");
    }
}
