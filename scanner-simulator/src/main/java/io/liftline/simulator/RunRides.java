package io.liftline.simulator;

import java.math.BigInteger;

/**
 * The rides of one run. Ride n's content (resort, skier, time, lift; season 2025, day 1) is a bijection of n, so
 * the rides of a run are unique by content, look random, and the verifier can compute each one again, or find n
 * from a stored document, without the simulator keeping what it sent.
 */
final class RunRides {

    /** One ride's content in the Upic ranges. */
    record Ride(int resortId, int skierId, int time, int liftId) {}

    static final String SEASON = "2025";
    static final int DAY = 1;
    private static final int RESORTS = 10;
    private static final int SKIERS = 100_000;
    private static final int TIMES = 360;
    private static final int LIFTS = 40;
    private static final BigInteger SPACE = BigInteger.valueOf((long) RESORTS * SKIERS * TIMES * LIFTS);
    /** A prime that divides no factor of the space (2, 3, 5): n -> n * STRIDE + offset is a bijection of the space. */
    private static final BigInteger STRIDE = BigInteger.valueOf(1_000_000_007L);

    private static final BigInteger INVERSE = STRIDE.modInverse(SPACE);

    private final BigInteger offset;

    RunRides(String runId) {
        this.offset = BigInteger.valueOf(runId.hashCode())
                .multiply(BigInteger.valueOf(0x9E3779B97F4A7C15L))
                .mod(SPACE);
    }

    Ride ride(long n) {
        long x = BigInteger.valueOf(n).multiply(STRIDE).add(offset).mod(SPACE).longValue();
        int lift = (int) (x % LIFTS) + 1;
        x /= LIFTS;
        int time = (int) (x % TIMES) + 1;
        x /= TIMES;
        int skier = (int) (x % SKIERS) + 1;
        x /= SKIERS;
        return new Ride((int) x + 1, skier, time, lift);
    }

    /** The n whose ride has this content, or -1 when the content lies outside the run's ranges. */
    long indexOf(Ride ride) {
        if (ride.resortId() < 1
                || ride.resortId() > RESORTS
                || ride.skierId() < 1
                || ride.skierId() > SKIERS
                || ride.time() < 1
                || ride.time() > TIMES
                || ride.liftId() < 1
                || ride.liftId() > LIFTS) {
            return -1;
        }
        long x = (((ride.resortId() - 1L) * SKIERS + (ride.skierId() - 1)) * TIMES + (ride.time() - 1)) * LIFTS
                + (ride.liftId() - 1);
        return BigInteger.valueOf(x)
                .subtract(offset)
                .mod(SPACE)
                .multiply(INVERSE)
                .mod(SPACE)
                .longValue();
    }
}
