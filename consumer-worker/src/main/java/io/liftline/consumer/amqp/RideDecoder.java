package io.liftline.consumer.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import io.liftline.broker.Topology;
import io.liftline.model.InvalidRideException;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import io.liftline.model.RideRanges;
import java.util.Map;

/** Turns a message into a valid ride, or says why it is poison. */
final class RideDecoder {

    private final RideRanges ranges;

    RideDecoder(RideRanges ranges) {
        this.ranges = ranges;
    }

    LiftRide decode(AMQP.BasicProperties properties, byte[] body) throws Poison {
        Map<String, Object> headers = properties.getHeaders();
        Object version = headers == null ? null : headers.get(Topology.SCHEMA_VERSION_HEADER);
        if (!String.valueOf(RideJson.SCHEMA_VERSION).equals(String.valueOf(version))) {
            throw new Poison(
                    Poison.UNSUPPORTED_SCHEMA_VERSION,
                    Topology.SCHEMA_VERSION_HEADER + " is " + (version == null ? "missing" : "'" + version + "'")
                            + ", this consumer reads " + RideJson.SCHEMA_VERSION);
        }
        JsonNode json;
        try {
            json = RideJson.parse(body);
        } catch (InvalidRideException e) {
            throw new Poison(Poison.MALFORMED_JSON, e.getMessage());
        }
        try {
            LiftRide ride = RideJson.fromMessage(json);
            ranges.validateMessage(ride);
            return ride;
        } catch (InvalidRideException e) {
            throw new Poison(Poison.INVALID_RIDE, e.getMessage());
        }
    }
}
