package io.liftline.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
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
        assertThatThrownBy(() -> RideJson.parse("{\"time\": 1,".getBytes(UTF_8)))
                .isInstanceOf(InvalidRideException.class)
                .hasMessageStartingWith("malformed JSON at line 1");
        assertThatThrownBy(() -> RideJson.parse("{\"time\": 217".getBytes(UTF_8)))
                .hasMessage(
                        "malformed JSON at line 1, column 13: Unexpected end-of-input: expected close marker for Object");
        assertThatThrownBy(() -> RideJson.parse("".getBytes(UTF_8))).hasMessage("body is empty, expected JSON");
        assertThatThrownBy(() -> RideJson.parse("{} {}".getBytes(UTF_8))).hasMessageStartingWith("malformed JSON");
        assertThatThrownBy(() -> RideJson.parse("{\"a\":1,\"a\":2}".getBytes(UTF_8)))
                .hasMessageContaining("Duplicate field 'a'");
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
        assertThatThrownBy(() -> RideJson.fromMessage("{\"eventId\":\"x\",\"resortId\":1}".getBytes(UTF_8)))
                .isInstanceOf(InvalidRideException.class)
                .hasMessage("receivedAt is required");
        assertThatThrownBy(() -> RideJson.fromMessage("[1,2]".getBytes(UTF_8)))
                .hasMessage("message body must be a JSON object, was an array");
    }
}
