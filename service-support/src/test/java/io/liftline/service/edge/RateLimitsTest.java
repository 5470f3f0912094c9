package io.liftline.service.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitsTest {

    @Test
    void aClientMaySpendItsBurstThenWaitsForTheRefillWhileOthersAreUntouched() {
        RateLimits limits = new RateLimits(2, 4);
        assertThat(limits.secondsUntilOneRide("gate7")).isZero();
        assertThat(limits.take("gate7", 3)).isZero();
        assertThat(limits.take("gate7", 2))
                .as("1 left, 2 asked: about half a second, rounded up")
                .isEqualTo(1);
        assertThat(limits.take("gate7", 1)).as("a refused request took nothing").isZero();
        assertThat(limits.secondsUntilOneRide("gate7")).isEqualTo(1);
        assertThat(limits.take("gate8", 4)).isZero();
    }

    @Test
    void aSlowRateAsksForTheWholeWait() {
        RateLimits limits = new RateLimits(0.1, 1); // one ride each 10 s
        assertThat(limits.take("gate7", 1)).isZero();
        assertThat(limits.take("gate7", 1)).isBetween(9L, 10L);
        assertThat(limits.secondsUntilOneRide("gate7")).isBetween(9L, 10L);
    }
}
