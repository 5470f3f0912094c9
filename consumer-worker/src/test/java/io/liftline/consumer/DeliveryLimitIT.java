package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.Topology;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The policy of rabbitmq/definitions.json: a message that keeps crashing its consumer ends up dead-lettered. */
class DeliveryLimitIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    @Test
    void aMessageRedeliveredPastTheDeliveryLimitIsDeadLetteredByTheBroker() throws Exception {
        Rides.publish(rabbit.connection(), List.of("crasher"));
        int deliveries = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // Each round plays a worker that takes the message and dies before acking it, until the broker gives up.
        while (rabbit.readyMessages(Topology.DEAD_LETTER_QUEUE) == 0 && System.nanoTime() < deadline) {
            try (Channel channel = rabbit.newConnection().createChannel()) {
                GetResponse message = channel.basicGet(Topology.QUEUE, false);
                if (message == null) {
                    Thread.sleep(20); // the requeued message is on its way back
                } else {
                    deliveries++;
                    channel.basicReject(message.getEnvelope().getDeliveryTag(), true);
                }
            }
        }
        GetResponse dead = Poll.waitAtMost(
                Duration.ofSeconds(10),
                "the dead letter",
                () -> {
                    try (Channel channel = rabbit.connection().createChannel()) {
                        return channel.basicGet(Topology.DEAD_LETTER_QUEUE, true);
                    }
                },
                m -> m != null);

        assertThat(deliveries).as("delivered until the policy's limit").isBetween(10, 12);
        assertThat(dead.getProps().getMessageId()).isEqualTo("crasher");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths =
                (List<Map<String, Object>>) dead.getProps().getHeaders().get("x-death");
        assertThat(deaths.get(0).get("reason").toString()).isEqualTo("delivery_limit");
        assertThat(deaths.get(0).get("queue").toString()).isEqualTo(Topology.QUEUE);
    }
}
