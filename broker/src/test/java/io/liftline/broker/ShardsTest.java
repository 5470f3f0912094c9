package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardsTest {

    @Test
    void oneShardIsExactlyTheContractsQueue() {
        assertThat(Shards.ONE.queues()).containsExactly("lift-rides");
        assertThat(Shards.ONE.routingKey(Shards.ONE.of(4242))).isEqualTo("ride");
    }

    @Test
    void aSkiersRidesAlwaysGoToOneShardAndSkiersSpreadEvenly() {
        Shards three = new Shards(3);
        assertThat(three.queues()).containsExactly("lift-rides.0", "lift-rides.1", "lift-rides.2");
        Map<Integer, Integer> perShard = new HashMap<>();
        for (int skier = 1; skier <= 90_000; skier++) {
            assertThat(three.of(skier)).isEqualTo(three.of(skier));
            perShard.merge(three.of(skier), 1, Integer::sum);
        }
        assertThat(perShard.values()).allSatisfy(n -> assertThat(n).isBetween(29_000, 31_000));
        assertThat(three.routingKey(2)).isEqualTo("ride.2");
    }

    @Test
    void aQueueNameLeadsBackToItsRoutingKey() {
        assertThat(Shards.routingKeyOf("lift-rides.2")).isEqualTo("ride.2");
        assertThat(Shards.routingKeyOf("lift-rides")).isEqualTo("ride");
        assertThat(Shards.routingKeyOf("lift-rides.dead")).isEqualTo("ride");
        assertThat(Shards.isRideQueue("lift-rides.11")).isTrue();
        assertThat(Shards.isRideQueue("lift-rides.dead")).isFalse();
    }

    @Test
    void aWorkerMayTakeASubsetOfTheShards() {
        Shards four = new Shards(4);
        assertThat(four.parseSubset(null)).containsExactly(0, 1, 2, 3);
        assertThat(four.parseSubset("2, 0,2")).containsExactly(2, 0);
        assertThatThrownBy(() -> four.parseSubset("4")).hasMessage("shard 4 does not exist: shards are 0..3");
        assertThatThrownBy(() -> new Shards(0)).hasMessage("shards must be 1..64, was 0");
    }
}
