package io.liftline.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class RideJsonTest {

    private static final LiftRide RIDE =
            new LiftRide("evt-\"quoted\"", 3, "2025", 17, 4242, 217, 12, Instant.parse("2026-01-02T03:04:05.678Z"));

    @Test
    void messageBodyRoundTripsEveryField() throws Exception {
        byte[] body = RideJson.toMessage(RIDE);
        assertThat(RideJson.fromMessage(body)).isEqualTo(RIDE);
    }

    @Test
    void messageBodyUsesTheContractsCamelCaseFields() throws Exception {
        assertThat(RideJson.MAPPER.readTree(RideJson.toMessage(RIDE)).fieldNames())
                .toIterable()
                .containsExactly("eventId", "resortId", "seasonId", "dayId", "skierId", "time", "liftId", "receivedAt");
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatParsing("{\"time\": 1,").hasMessageStartingWith("malformed JSON at line 1");
        assertThatParsing("{\"time\": 217")
                .hasMessage(
                        "malformed JSON at line 1, column 13: Unexpected end-of-input: expected close marker for Object");
        assertThatParsing("").hasMessage("body is empty, expected JSON");
        assertThatParsing("{} {}").hasMessageStartingWith("malformed JSON");
        assertThatParsing("{\"a\":1,\"a\":2}").hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void requireIntRejectsEverythingButA32BitInteger() throws Exception {
        var node = RideJson.parse(
                "{\"f\":1.5,\"s\":\"7\",\"b\":true,\"big\":4294967296,\"n\":null,\"ok\":-3}".getBytes(UTF_8));
        assertThatThrownBy(() -> RideJson.requireInt(node, "f")).hasMessage("f must be an integer, was number 1.5");
        assertThatThrownBy(() -> RideJson.requireInt(node, "s"))
                .hasMessage("s must be an integer, was the string \"7\"");
        assertThatThrownBy(() -> RideJson.requireInt(node, "b")).hasMessage("b must be an integer, was boolean true");
        assertThatThrownBy(() -> RideJson.requireInt(node, "big"))
                .hasMessage("big must be a 32-bit integer, was 4294967296");
        assertThatThrownBy(() -> RideJson.requireInt(node, "n")).hasMessage("n is required");
        assertThatThrownBy(() -> RideJson.requireInt(node, "missing")).hasMessage("missing is required");
        assertThat(RideJson.requireInt(node, "ok")).isEqualTo(-3);
    }

    @Test
    void messageMissingAFieldIsInvalid() {
        assertThatReading("{\"eventId\":\"x\",\"resortId\":1}").hasMessage("receivedAt is required");
        assertThatReading("[1,2]").hasMessage("message body must be a JSON object, was an array");
    }

    /** Parsing {@code json} as a request body is refused: an {@link InvalidRideException}, whose message follows. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatParsing(String json) {
        return assertThatThrownBy(() -> RideJson.parse(json.getBytes(UTF_8))).isInstanceOf(InvalidRideException.class);
    }

    /** Reading {@code json} as a queued message is refused: an {@link InvalidRideException}, whose message follows. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatReading(String json) {
        return assertThatThrownBy(() -> RideJson.fromMessage(json.getBytes(UTF_8)))
                .isInstanceOf(InvalidRideException.class);
    }
}
