package io.liftline.bench;

import io.liftline.broker.BrokerClients;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code Preload AMQP_URI COUNT PREFIX [SHARDS]}: fills lift-rides (or its shards, each ride on its skier's) with
 * valid ride messages, as the producer writes them.
 */
public final class Preload {

    private static final int WINDOW = 2_000;

    private Preload() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int count = Integer.parseInt(args[1]);
        String prefix = args[2];
        Shards shards = new Shards(args.length > 3 ? Integer.parseInt(args[3]) : 1);
        long start = System.nanoTime();
        try (Connection connection = BrokerClients.connect(uri, "liftline-preload");
             Channel channel = connection.createChannel()) {
            Topology.declare(channel, shards);
            channel.confirmSelect();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < count; i++) {
                String id = prefix + "-" + i;
                LiftRide ride = new LiftRide(id, random.nextInt(1, 11), "2025", 1, random.nextInt(1, 100_001),
                        random.nextInt(1, 361), random.nextInt(1, 41), Instant.now());
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(Topology.CONTENT_TYPE)
                        .deliveryMode(2).messageId(id).timestamp(new Date())
                        .headers(Map.of(Topology.SCHEMA_VERSION_HEADER, RideJson.SCHEMA_VERSION)).build();
                channel.basicPublish(Topology.EXCHANGE, shards.routingKey(shards.of(ride.skierId())), props, RideJson.toMessage(ride));
                if ((i + 1) % WINDOW == 0) {
                    channel.waitForConfirmsOrDie(60_000);
                }
            }
            channel.waitForConfirmsOrDie(60_000);
        }
        System.out.printf("preloaded %d rides in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
    }
}
