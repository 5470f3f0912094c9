package io.liftline.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunRidesTest {

    @Test
    void theRidesOfARunAreUniqueInTheUpicRangesAndMapBackToTheirNumber() {
        RunRides run = new RunRides("run-20261130-050000");
        Set<RunRides.Ride> seen = new HashSet<>();
        for (int n = 0; n < 200_000; n++) {
            RunRides.Ride ride = run.ride(n);
            assertThat(seen.add(ride)).as("ride %d unique", n).isTrue();
            assertThat(run.indexOf(ride)).isEqualTo(n);
        }
        assertThat(seen).allSatisfy(r -> {
            assertThat(r.resortId()).isBetween(1, 10);
            assertThat(r.skierId()).isBetween(1, 100_000);
            assertThat(r.time()).isBetween(1, 360);
            assertThat(r.liftId()).isBetween(1, 40);
        });
        assertThat(seen.stream().map(RunRides.Ride::resortId).distinct().count())
                .as("spread over resorts")
                .isEqualTo(10);
    }

    @Test
    void contentOutsideTheRangesBelongsToNoRide() {
        assertThat(new RunRides("r").indexOf(new RunRides.Ride(11, 1, 1, 1))).isEqualTo(-1);
        assertThat(new RunRides("r").indexOf(new RunRides.Ride(1, 1, 0, 1))).isEqualTo(-1);
    }
}
