package io.liftline.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One lift ride: a skier boarding a lift, as accepted by the producer and stored by the consumer.
 *
 * @param eventId    the idempotency key: client-chosen or a producer-assigned UUIDv7; the stored {@code _id}
 * @param resortId   the resort
 * @param seasonId   the season, a year as a string ("2025"), as in the Upic API
 * @param dayId      day of the season
 * @param skierId    the skier
 * @param time       minute of the ski day
 * @param liftId     the lift
 * @param receivedAt when the producer accepted the event
 */
public record LiftRide(String eventId, int resortId, String seasonId, int dayId, int skierId, int time, int liftId,
                       Instant receivedAt) {

    /** Metres of vertical per ride are ten times the lift number, as in the Upic assignment. */
    public static final int VERTICAL_PER_LIFT_ID = 10;

    public LiftRide {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(seasonId, "seasonId");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public int vertical() {
        return liftId * VERTICAL_PER_LIFT_ID;
    }
}
