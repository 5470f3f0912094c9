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
 * {@code Preload AMQP_URI COUNT PREFIX [SHARDS] [RIDES_PER_SKIER]}: fills lift-rides (or its shards, each ride on its
 * skier's) with valid ride messages, as the producer writes them. Without RIDES_PER_SKIER (or 0) each ride is a
 * random one of 100,000 skiers, nearly all new; with it, COUNT / RIDES_PER_SKIER skiers ride in turn through the day,
 * each that many times, as a day's rides reach the queue.
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
        int ridesPerSkier = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int skiers = ridesPerSkier > 0 ? Math.max(1, count / ridesPerSkier) : 0;
        long start = System.nanoTime();
        try (Connection connection = BrokerClients.connect(uri, "liftline-preload");
                Channel channel = connection.createChannel()) {
            Topology.declare(channel, shards);
            ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < count; i++) {
                String id = prefix + "-" + i;
                int skier = skiers > 0 ? 1 + i % skiers : random.nextInt(1, 100_001);
                LiftRide ride = new LiftRide(
                        id,
                        skiers > 0 ? 1 + skier % 10 : random.nextInt(1, 11),
                        "2025",
                        1,
                        skier,
                        skiers > 0 ? 1 + (int) (i * 360L / count) : random.nextInt(1, 361),
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
