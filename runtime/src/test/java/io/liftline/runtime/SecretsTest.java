package io.liftline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void masksThePasswordOfAUriButKeepsTheRest() {
        assertThat(Secrets.maskUri("amqp://liftline:s3cr%40t@broker:5672/%2F"))
                .isEqualTo("amqp://liftline:****@broker:5672/%2F");
        assertThat(Secrets.maskUri("mongodb://app:pw@db1:27017,db2:27017/?authSource=admin"))
                .isEqualTo("mongodb://app:****@db1:27017,db2:27017/?authSource=admin");
    }

    @Test
    void masksPasswordQueryParameters() {
        assertThat(Secrets.maskUri("mongodb://db/?user=a&password=hunter2&tls=true"))
                .isEqualTo("mongodb://db/?user=a&password=****&tls=true");
    }

    @Test
    void leavesUrisWithoutSecretsAlone() {
        assertThat(Secrets.maskUri("amqp://127.0.0.1:5672")).isEqualTo("amqp://127.0.0.1:5672");
        assertThat(Secrets.maskUri("amqp://user@host")).isEqualTo("amqp://user@host");
        assertThat(Secrets.maskUri(null)).isNull();
    }
}
