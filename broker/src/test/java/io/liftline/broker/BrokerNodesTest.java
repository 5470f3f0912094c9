package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import org.junit.jupiter.api.Test;

class BrokerNodesTest {

    @Test
    void aUriMayNameSeveralNodesEachWithOrWithoutItsPort() {
        BrokerNodes nodes = BrokerNodes.parse("amqp://app:s3cret@h1:5681,h2,[::1]:5683/prod?heartbeat=5");
        assertThat(nodes.addresses())
                .containsExactly(new Address("h1", 5681), new Address("h2", 5672), new Address("::1", 5683));
        assertThat(nodes.uri()).isEqualTo("amqp://app:s3cret@h1:5681/prod?heartbeat=5");
        assertThat(nodes.cluster()).isTrue();
    }

    @Test
    void aSingleNodeUriIsUnchanged() {
        BrokerNodes nodes = BrokerNodes.parse("amqps://broker.example/%2F");
        assertThat(nodes.uri()).isEqualTo("amqps://broker.example/%2F");
        assertThat(nodes.addresses()).containsExactly(new Address("broker.example", 5671));
        assertThat(nodes.cluster()).isFalse();
        assertThat(BrokerNodes.parse("amqp://guest:guest@127.0.0.1:5672").addresses())
                .containsExactly(new Address("127.0.0.1", 5672));
    }

    @Test
    void aBadNodeIsNamedWithThePasswordMasked() {
        assertThatThrownBy(() -> BrokerNodes.parse("amqp://app:s3cret@h1,,h3/v"))
                .hasMessageContaining("empty node")
                .hasMessageContaining("app:****@")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> BrokerNodes.parse("amqp://app:s3cret@h1:56x/v"))
                .hasMessageContaining("'h1:56x'");
    }
}
