package io.liftline.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerClients;
import io.liftline.broker.ConfirmedPublisher;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code Preload AMQP_URI COUNT PREFIX [SHARDS]}: fills lift-rides (or its shards, each ride on its skier's) with
 * valid ride messages, as the producer writes them.
 */
public final class Preload {

    private static final int WINDOW = 2_000;

    private Preload() {}

    /** Waits for the window's confirms; a ride that reached no queue ends the preload (the backlog would be short). */
    private static void settle(ConfirmedPublisher publisher) throws Exception {
        List<ConfirmedPublisher.Published> unroutable = publisher.awaitConfirms(Duration.ofSeconds(60));
        if (!unroutable.isEmpty()) {
            throw new IllegalStateException(unroutable.size() + " rides reached no queue, e.g. routing key "
                    + unroutable.get(0).routingKey());
        }
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
            ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < count; i++) {
                String id = prefix + "-" + i;
                LiftRide ride = new LiftRide(
                        id,
                        random.nextInt(1, 11),
                        "2025",
                        1,
                        random.nextInt(1, 100_001),
                        random.nextInt(1, 361),
                        random.nextInt(1, 41),
                        Instant.now());
                publisher.publish(
                        Topology.EXCHANGE,
                        shards.routingKey(shards.of(ride.skierId())),
                        Topology.rideProperties(id, ride.receivedAt()),
                        RideJson.toMessage(ride));
                if ((i + 1) % WINDOW == 0) {
                    settle(publisher);
                }
            }
            settle(publisher);
        }
        System.out.printf("preloaded %d rides in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
    }
}
