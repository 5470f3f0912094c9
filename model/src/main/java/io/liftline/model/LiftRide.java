package io.liftline.model;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

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
public record LiftRide(
        String eventId,
        int resortId,
        String seasonId,
        int dayId,
        int skierId,
        int time,
        int liftId,
        Instant receivedAt) {

    /** Metres of vertical per ride are ten times the lift number, as in the Upic assignment. */
    public static final int VERTICAL_PER_LIFT_ID = 10;

    public LiftRide {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(seasonId, "seasonId");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** A client's name: what an API key authenticates, and the prefix of its rides' ids in the store. */
    public static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public int vertical() {
        return liftId * VERTICAL_PER_LIFT_ID;
    }

    /**
     * The ride as an authenticated client's: id {@code <client>:<eventId>}, so that no client can take, or
     * squat, another client's ids. The client's own id is what it sees in its answers.
     */
    public LiftRide ofClient(String client) {
        if (!CLIENT_NAME.matcher(client).matches()) {
            throw new IllegalArgumentException("client name must match " + CLIENT_NAME + ", was '" + client + "'");
        }
        return new LiftRide(client + ":" + eventId, resortId, seasonId, dayId, skierId, time, liftId, receivedAt);
    }

    /** The id as the client sent or was given it: without the {@code <client>:} prefix of {@link #ofClient}. */
    public static String clientEventId(String storedId) {
        int colon = storedId.indexOf(':');
        return colon > 0 && CLIENT_NAME.matcher(storedId.substring(0, colon)).matches()
                ? storedId.substring(colon + 1)
                : storedId;
    }
}
