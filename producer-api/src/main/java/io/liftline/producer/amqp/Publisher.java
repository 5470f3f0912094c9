package io.liftline.producer.amqp;

import io.liftline.model.LiftRide;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Publishes rides durably; the future completes once the broker confirmed all of them, or fails with a {@link PublishException}. */
public interface Publisher {
    CompletableFuture<Void> publish(List<LiftRide> rides);
}
