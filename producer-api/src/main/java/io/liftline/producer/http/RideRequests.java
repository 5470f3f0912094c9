package io.liftline.producer.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liftline.model.InvalidRideException;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import io.liftline.model.RideRanges;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns the two ingest requests into validated rides: the Upic single POST (ids in the path, time and liftID
 * in the body) and the batch {@code POST /rides}. Every problem is reported with where it is.
 */
final class RideRequests {

    /** A batch reports at most this many problems; the rest would only bury the first. */
    private static final int MAX_PROBLEMS = 20;

    /** Reads one value where the parser is: the rest of the stream is not this read's business. */
    private static final ObjectReader VALUE =
            RideJson.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Set<String> RIDE_FIELDS = Set.of(
            "eventId",
            RideRanges.RESORT_ID,
            RideRanges.SEASON_ID,
            RideRanges.DAY_ID,
            RideRanges.SKIER_ID,
            RideRanges.TIME,
            RideRanges.LIFT_ID);

    private final RideRanges ranges;
    private final int maxBatchSize;
    private final Supplier<String> newEventId;

    RideRequests(RideRanges ranges, int maxBatchSize, Supplier<String> newEventId) {
        this.ranges = ranges;
        this.maxBatchSize = maxBatchSize;
        this.newEventId = newEventId;
    }

    /** The single Upic POST: ids from the path, {@code {"time", "liftID"}} from the body. */
    LiftRide single(Map<String, String> path, byte[] body, String idempotencyKey, Instant receivedAt)
            throws InvalidRideException {
        Problems problems = new Problems();
        int resort = problems.pathId(path, RideRanges.RESORT_ID);
        String season = problems.pathSeason(path);
        int day = problems.pathId(path, RideRanges.DAY_ID);
        int skier = problems.pathId(path, RideRanges.SKIER_ID);
        if (idempotencyKey != null) {
            String problem = RideRanges.eventIdProblem(idempotencyKey);
            if (problem != null) {
                problems.add("eventId", "Idempotency-Key header: " + problem);
            }
        }
        JsonNode json = RideJson.parse(body);
        RideJson.requireObject(json, "body");
        int time = problems.intField(json, RideRanges.TIME);
        int lift = problems.intField(json, RideRanges.LIFT_ID);
        String eventId = idempotencyKey == null ? newEventId.get() : idempotencyKey;
        LiftRide ride = new LiftRide(eventId, resort, season, day, skier, time, lift, receivedAt);
        problems.addViolations(ranges.violations(ride));
        problems.throwIfAny();
        return ride;
    }

    /**
     * The batch: a JSON array of complete rides, validated whole; any problem rejects all of it. It is read as a
     * stream, one ride at a time, keeping only the fields of a ride: a body of a million empty objects, or one
     * object of a million fields, is refused after the first {@code maxBatchSize + 1} rides or costs nothing.
     */
    List<LiftRide> batch(byte[] body, Instant receivedAt) throws InvalidRideException {
        List<String> problems = new ArrayList<>();
        List<LiftRide> rides = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        try (JsonParser parser = RideJson.MAPPER.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new InvalidRideException("body is empty, expected JSON");
            }
            if (token != JsonToken.START_ARRAY) {
                throw new InvalidRideException("body must be a JSON array of rides, was " + describe(parser));
            }
            int i = 0;
            for (token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken(), i++) {
                if (i == maxBatchSize) {
                    throw new InvalidRideException(
                            "batch has more than " + maxBatchSize + " rides, at most " + maxBatchSize + " are allowed");
                }
                if (token != JsonToken.START_OBJECT) {
                    problems.add("rides[" + i + "] must be a JSON object, was " + describe(parser));
                    parser.skipChildren();
                    continue;
                }
                ObjectNode node = rideFields(parser);
                if (problems.size() >= MAX_PROBLEMS) {
                    continue; // enough to report; keep reading so that the whole body is still checked as JSON
                }
                try {
                    LiftRide ride = element(node, receivedAt);
                    Integer first = seen.putIfAbsent(ride.eventId(), i);
                    if (first != null) {
                        problems.add("rides[" + i + "].eventId '" + ride.eventId() + "' repeats rides[" + first
                                + "].eventId");
                    }
                    rides.add(ride);
                } catch (InvalidRideException e) {
                    problems.addAll(e.at("rides[" + i + "].").problems());
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidRideException("malformed JSON: content after the array at line "
                        + parser.currentLocation().getLineNr() + ", column "
                        + parser.currentLocation().getColumnNr());
            }
            if (i == 0) {
                throw new InvalidRideException("batch is empty: send 1.." + maxBatchSize + " rides");
            }
        } catch (IOException e) {
            throw RideJson.malformed(e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidRideException(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
        }
        return rides;
    }

    /**
     * The fields of the ride object the parser is at, as a small tree; other fields are skipped unread, and a
     * field whose value is an object or array keeps only its type, for the error message.
     */
    private static ObjectNode rideFields(JsonParser parser) throws IOException {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!RIDE_FIELDS.contains(name)) {
                parser.skipChildren();
            } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                parser.skipChildren();
                node.set(name, value == JsonToken.START_OBJECT ? node.objectNode() : node.arrayNode());
            } else {
                node.set(name, VALUE.readTree(parser));
            }
        }
        return node;
    }

    /** The value the parser is at, as {@link RideJson#describe} says it; a container is not read. */
    private static String describe(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> RideJson.describe(VALUE.readTree(parser));
        };
    }

    private LiftRide element(JsonNode node, Instant receivedAt) throws InvalidRideException {
        Problems problems = new Problems();
        String given = problems.textField(node, "eventId", () -> RideJson.optionalText(node, "eventId"));
        int resort = problems.intField(node, RideRanges.RESORT_ID);
        String season = problems.textField(node, RideRanges.SEASON_ID, () -> seasonOf(node));
        int day = problems.intField(node, RideRanges.DAY_ID);
        int skier = problems.intField(node, RideRanges.SKIER_ID);
        int time = problems.intField(node, RideRanges.TIME);
        int lift = problems.intField(node, RideRanges.LIFT_ID);
        String eventId = given == null ? newEventId.get() : given;
        LiftRide ride = new LiftRide(eventId, resort, season == null ? "" : season, day, skier, time, lift, receivedAt);
        problems.addViolations(ranges.violations(ride));
        problems.throwIfAny();
        return ride;
    }

    /** seasonID is a string in the Upic API ("2025"); a JSON integer is accepted as the same year. */
    private static String seasonOf(JsonNode node) throws InvalidRideException {
        JsonNode value = node.get(RideRanges.SEASON_ID);
        if (value != null && value.isIntegralNumber()) {
            return value.asText();
        }
        return RideJson.requireText(node, RideRanges.SEASON_ID);
    }

    private interface TextReader {
        String read() throws InvalidRideException;
    }

    /**
     * The problems of one ride, at most one per field: a field that did not parse is not also reported as out
     * of range, so every message points at one real mistake.
     */
    private final class Problems {
        private final List<String> messages = new ArrayList<>();
        private final Set<String> unparsed = new HashSet<>();

        void add(String field, String message) {
            unparsed.add(field);
            messages.add(message);
        }

        /** A path id, read as every API reads one ({@link RideRanges#textId}); its range is checked there. */
        int pathId(Map<String, String> path, String field) {
            RideRanges.TextId id = ranges.textId(path.get(field), field, "in the path");
            if (!id.valid()) {
                add(field, id.problem());
            }
            return id.value();
        }

        String pathSeason(Map<String, String> path) {
            String text = path.get(RideRanges.SEASON_ID);
            RideRanges.TextId id = ranges.textSeason(text, "in the path");
            if (!id.valid()) {
                add(RideRanges.SEASON_ID, id.problem());
            }
            return text;
        }

        int intField(JsonNode node, String field) {
            try {
                return RideJson.requireInt(node, field);
            } catch (InvalidRideException e) {
                add(field, e.getMessage());
                return 0;
            }
        }

        String textField(JsonNode node, String field, TextReader reader) {
            try {
                return reader.read();
            } catch (InvalidRideException e) {
                add(field, e.getMessage());
                return null;
            }
        }

        /** Range violations start with their field's name; those of unparsed fields are noise. */
        void addViolations(List<String> violations) {
            for (String violation : violations) {
                if (!unparsed.contains(violation.substring(0, violation.indexOf(' ')))) {
                    messages.add(violation);
                }
            }
        }

        void throwIfAny() throws InvalidRideException {
            if (!messages.isEmpty()) {
                throw new InvalidRideException(messages);
            }
        }
    }
}
