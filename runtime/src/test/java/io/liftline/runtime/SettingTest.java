package io.liftline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {

    /** A config as an application declares one. */
    record Pool(String uri, int size, Duration timeout, String password) {}

    static final Setting<Pool, String> URI = Setting.text("LIFTLINE_POOL_URI", Pool::uri)
            .byDefault("amqp://guest:guest@127.0.0.1:5672/%2F")
            .check(Checks.AMQP_URI)
            .doc("the broker");
    static final Setting<Pool, Integer> SIZE = Setting.integer("LIFTLINE_POOL_SIZE", Pool::size)
            .byDefault(4)
            .check(Checks.POSITIVE)
            .formerly("LIFTLINE_OLD_SIZE")
            .doc("channels in the pool");
    static final Setting<Pool, Duration> TIMEOUT = Setting.duration("LIFTLINE_POOL_TIMEOUT", Pool::timeout)
            .byDefault(Duration.ofMillis(1500))
            .check(Checks.POSITIVE_DURATION);
    static final Setting<Pool, String> PASSWORD = Setting.text("LIFTLINE_POOL_PASSWORD", Pool::password)
            .secret()
            .check(v -> v.length() >= 8 ? null : "must be 8 characters or more");
    static final Settings<Pool> SETTINGS = Settings.of(URI, SIZE, TIMEOUT, PASSWORD);

    private static ConfigSource source(Map<String, String> env, String... args) {
        return ConfigSource.from(args, env::get);
    }

    private static Pool read(ConfigSource source) {
        SETTINGS.rejectUnknownFlags(source);
        return new Pool(URI.read(source), SIZE.read(source), TIMEOUT.read(source), PASSWORD.read(source));
    }

    @Test
    void aFlagWinsOverItsVariableWhichWinsOverTheDefault() {
        Pool pool =
                read(source(Map.of("LIFTLINE_POOL_SIZE", "6", "LIFTLINE_POOL_TIMEOUT", "2s"), "--pool-timeout=250ms"));

        assertThat(pool.size()).isEqualTo(6);
        assertThat(pool.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(pool.uri()).isEqualTo("amqp://guest:guest@127.0.0.1:5672/%2F");
        assertThat(pool.password()).isNull();
    }

    @Test
    void textThatDoesNotParseNamesTheSettingItsFlagAndWhatItMustBe() {
        assertThatThrownBy(() -> read(source(Map.of(), "--pool-size=four")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LIFTLINE_POOL_SIZE (--pool-size) must be an integer, was 'four'");
        assertRefused(
                "LIFTLINE_POOL_TIMEOUT",
                "soon",
                "LIFTLINE_POOL_TIMEOUT (--pool-timeout) must be a duration such as 250ms, 5s or 2m, was 'soon'");
    }

    @Test
    void aValueTheCheckRefusesIsNamedWithTheRule() {
        assertRefused("LIFTLINE_POOL_SIZE", "0", "LIFTLINE_POOL_SIZE (--pool-size) must be > 0, was 0");
        assertRefused(
                "LIFTLINE_POOL_URI",
                "http://user:pw@host",
                "LIFTLINE_POOL_URI (--pool-uri) must start with amqp:// or amqps://, was http://user:****@host");
    }

    @Test
    void aSecretIsNeverInAMessageNorInTheStartUpLine() {
        assertRefused(
                "LIFTLINE_POOL_PASSWORD",
                "hunter2",
                "LIFTLINE_POOL_PASSWORD (--pool-password) must be 8 characters or more");
        Pool pool = new Pool("amqp://app:s3cret@rabbit/prod", 4, Duration.ofSeconds(90), "correct horse");

        assertThat(SETTINGS.describe("Pool", pool))
                .isEqualTo("Pool{poolUri=amqp://app:****@rabbit/prod, poolSize=4, poolTimeout=90s, poolPassword=****}");
    }

    @Test
    void theOldNameStillWorksAndDisagreeingWithTheNewOneIsAnError() {
        assertThat(read(source(Map.of("LIFTLINE_OLD_SIZE", "3"))).size()).isEqualTo(3);
        assertThat(read(source(Map.of("LIFTLINE_OLD_SIZE", "3", "LIFTLINE_POOL_SIZE", "3")))
                        .size())
                .isEqualTo(3);
        assertThatThrownBy(() -> read(source(Map.of("LIFTLINE_OLD_SIZE", "3", "LIFTLINE_POOL_SIZE", "5"))))
                .hasMessageContaining("LIFTLINE_POOL_SIZE (--pool-size) and its old name LIFTLINE_OLD_SIZE disagree");
        assertThatThrownBy(() -> read(source(Map.of(), "--old-size", "x")))
                .hasMessage("LIFTLINE_OLD_SIZE (--old-size) must be an integer, was 'x'");
    }

    @Test
    void anUnknownFlagIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> read(source(Map.of(), "--pool-sise=3")))
                .hasMessageStartingWith("unknown flag --pool-sise")
                .hasMessageContaining("--pool-size", "--old-size");
    }

    @Test
    void aConfigBuiltInCodeMeetsTheSameRules() {
        assertThat(SETTINGS.check(new Pool("amqp://h", 1, Duration.ofSeconds(1), null))
                        .size())
                .isEqualTo(1);
        assertThatThrownBy(() -> SETTINGS.check(new Pool("amqp://h", 1, Duration.ZERO, null)))
                .hasMessage("LIFTLINE_POOL_TIMEOUT (--pool-timeout) must be > 0, was 0s");
    }

    @Test
    void helpListsEachFlagWithItsDefaultAndMeaning() {
        assertThat(SETTINGS.usage("java -jar pool.jar"))
                .contains("usage: java -jar pool.jar")
                .containsPattern("--pool-size +LIFTLINE_POOL_SIZE \\[4\\]\\n +channels in the pool")
                .contains("--pool-timeout", "[1500ms]", "--pool-password", "[unset]");
    }

    @Test
    void aSettingIsDeclaredOnlyOnce() {
        assertThatThrownBy(() -> Settings.of(SIZE, SIZE)).hasMessage("LIFTLINE_POOL_SIZE is declared twice");
    }

    @Test
    void durationsAreShownAsTheyAreWritten() {
        assertThat(Setting.format(Duration.ofMillis(50))).isEqualTo("50ms");
        assertThat(Setting.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Setting.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Setting.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(Setting.format(Duration.ZERO)).isEqualTo("0s");
    }

    /** Reading the settings with {@code variable} set to {@code value} fails with exactly {@code message}. */
    private static void assertRefused(String variable, String value, String message) {
        assertThatThrownBy(() -> read(source(Map.of(variable, value))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
