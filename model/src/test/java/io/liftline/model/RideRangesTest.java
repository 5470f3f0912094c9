package io.liftline.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RideRangesTest {

    private static LiftRide ride(int resort, String season, int day, int skier, int time, int lift) {
        return new LiftRide("e-1", resort, season, day, skier, time, lift, Instant.EPOCH);
    }

    @Test
    void acceptsTheBoundsOfEveryRange() {
        RideRanges ranges = RideRanges.defaults();
        assertThat(ranges.violations(ride(1, "2000", 1, 1, 1, 1))).isEmpty();
        assertThat(ranges.violations(ride(10, "2100", 366, 100_000, 360, 40))).isEmpty();
    }

    @Test
    void namesEachFieldOutsideItsRangeWithTheRangeAndTheValue() {
        assertThat(RideRanges.defaults().violations(ride(0, "1999", 367, 100_001, 0, 41)))
                .containsExactly(
                        "resortID must be in 1..10, was 0",
                        "seasonID must be a year in 2000..2100, was '1999'",
                        "dayID must be in 1..366, was 367",
                        "skierID must be in 1..100000, was 100001",
                        "time must be in 1..360, was 0",
                        "liftID must be in 1..40, was 41");
    }

    @Test
    void rejectsSeasonsThatAreNotFourDigitYears() {
        for (String season : new String[] {"", "25", "02025", "2025a", " 2025", "abcd"}) {
            assertThat(RideRanges.defaults().violations(ride(1, season, 1, 1, 1, 1)))
                    .as(season)
                    .singleElement()
                    .asString()
                    .startsWith("seasonID must be a year");
        }
    }

    @Test
    void eventIdsAreOneTo128PrintableAsciiCharacters() {
        assertThat(RideRanges.eventIdProblem("a")).isNull();
        assertThat(RideRanges.eventIdProblem("run-1/scanner 7:~")).isNull();
        assertThat(RideRanges.eventIdProblem("x".repeat(128))).isNull();
        assertThat(RideRanges.eventIdProblem("")).isEqualTo("eventId must be 1..128 characters, was 0");
        assertThat(RideRanges.eventIdProblem("x".repeat(129))).isEqualTo("eventId must be 1..128 characters, was 129");
        assertThat(RideRanges.eventIdProblem("tab\there"))
                .isEqualTo("eventId must be printable ASCII, has character U+0009 at 3");
        assertThat(RideRanges.eventIdProblem("café")).contains("U+00E9 at 3");
    }

    @Test
    void parseOverridesOnlyTheNamedRanges() {
        RideRanges ranges = RideRanges.parse(" skierID = 1..200000 , liftID=5..60");
        assertThat(ranges.range("skierID")).isEqualTo(new RideRanges.Range(1, 200_000));
        assertThat(ranges.range("liftID")).isEqualTo(new RideRanges.Range(5, 60));
        assertThat(ranges.range("resortID")).isEqualTo(RideRanges.DEFAULT_RESORT_ID);
        assertThat(ranges.violations(ride(1, "2025", 1, 150_000, 1, 50))).isEmpty();
        assertThat(ranges.violations(ride(1, "2025", 1, 1, 1, 4))).containsExactly("liftID must be in 5..60, was 4");
    }

    @Test
    void parseExplainsWhatIsWrongWithASpec() {
        assertThatThrownBy(() -> RideRanges.parse("skier=1..5")).hasMessageContaining("unknown field 'skier'");
        assertThatThrownBy(() -> RideRanges.parse("skierID=1-5"))
                .hasMessageContaining("'skierID=1-5' is not field=min..max");
        assertThatThrownBy(() -> RideRanges.parse("skierID=5..1")).hasMessageContaining("range 5..1 is empty");
        assertThat(RideRanges.parse("  ")).isSameAs(RideRanges.defaults());
    }

    @Test
    void validateThrowsWithEveryProblem() {
        assertThatThrownBy(() -> RideRanges.defaults().validate(ride(0, "2025", 1, 1, 0, 1)))
                .isInstanceOf(InvalidRideException.class)
                .hasMessage("resortID must be in 1..10, was 0; time must be in 1..360, was 0");
    }

    @Test
    void aQueuedRideMayCarryItsClientsPrefixBeyondTheClientIdsLength() throws Exception {
        LiftRide sent = new LiftRide("e".repeat(128), 3, "2025", 1, 1, 1, 1, Instant.EPOCH);
        LiftRide queued = sent.ofClient("gate-7");
        assertThat(queued.eventId()).isEqualTo("gate-7:" + "e".repeat(128));
        assertThat(LiftRide.clientEventId(queued.eventId())).isEqualTo(sent.eventId());
        RideRanges.defaults().validateMessage(queued);
        assertThat(RideRanges.defaults().violations(queued))
                .as("a client may not send such an id itself")
                .isNotEmpty();
        assertThatThrownBy(() -> sent.ofClient("no spaces")).hasMessageStartingWith("client name must match");
        assertThat(LiftRide.clientEventId("with:colon:id")).isEqualTo("colon:id");
        assertThat(LiftRide.clientEventId(":leading")).isEqualTo(":leading");
    }

    @Test
    void readsAnIdFromUrlTextWithOneMessagePerMistake() {
        RideRanges ranges = RideRanges.defaults();
        assertThat(ranges.textId("7", RideRanges.RESORT_ID, "in the path")).isEqualTo(new RideRanges.TextId(7, null));
        assertThat(ranges.textId("-1", RideRanges.RESORT_ID, "in the path").problem())
                .isEqualTo("resortID in the path must be in 1..10, was -1");
        assertThat(ranges.textId("100001", RideRanges.SKIER_ID, "(query parameter 'skier')")
                        .problem())
                .isEqualTo("skierID (query parameter 'skier') must be in 1..100000, was 100001");
        for (String notAnInteger : new String[] {"", "abc", "1.5", " 1", "+1", "--1", "9999999999", "0x1"}) {
            assertThat(ranges.textId(notAnInteger, RideRanges.DAY_ID, "in the path")
                            .problem())
                    .as(notAnInteger)
                    .isEqualTo("dayID in the path must be an integer, was '" + notAnInteger + "'");
        }
        assertThat(ranges.textId("x".repeat(40), RideRanges.DAY_ID, "in the path")
                        .problem())
                .endsWith("was '" + "x".repeat(32) + "...'");
    }

    @Test
    void readsASeasonFromUrlTextAsAYearInItsRange() {
        RideRanges ranges = RideRanges.defaults();
        assertThat(ranges.textSeason("2025", "in the path")).isEqualTo(new RideRanges.TextId(2025, null));
        for (String bad : new String[] {"1999", "2101", "25", "-2025", "abcd"}) {
            assertThat(ranges.textSeason(bad, "in the path").problem())
                    .as(bad)
                    .isEqualTo("seasonID in the path must be a year in 2000..2100, was '" + bad + "'");
        }
    }
}
