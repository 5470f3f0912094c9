package io.liftline.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The JSON forms of a ride: the broker message body (camelCase, as stored) and strict field access for
 * every JSON that clients send, with errors that say which field is wrong and how.
 */
public final class RideJson {

    /** The version of the message body; a consumer dead-letters versions it does not know. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * What any JSON a client sends may hold: a ride is a flat object of short values, so deep nesting, long
     * numbers and long strings are refused while parsing rather than held in memory (Jackson's defaults
     * allow 1,000 levels, 1,000-digit numbers and 20 MB strings).
     */
    public static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(16)
            .maxNumberLength(64)
            .maxStringLength(16 * 1024)
            .build();

    /** Strict: duplicate keys and trailing content are errors, never silently resolved; bounded by {@link #CONSTRAINTS}. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(
                    JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final int MAX_ERROR_DETAIL = 160;

    private RideJson() {}

    /** The broker message body of a ride. */
    public static byte[] toMessage(LiftRide ride) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("eventId", ride.eventId());
            g.writeNumberField("resortId", ride.resortId());
            g.writeStringField("seasonId", ride.seasonId());
            g.writeNumberField("dayId", ride.dayId());
            g.writeNumberField("skierId", ride.skierId());
            g.writeNumberField("time", ride.time());
            g.writeNumberField("liftId", ride.liftId());
            g.writeStringField("receivedAt", ride.receivedAt().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** Reads a broker message body; the ride is not range-checked here (see {@link RideRanges}). */
    public static LiftRide fromMessage(byte[] body) throws InvalidRideException {
        return fromMessage(parse(body));
    }

    /** Reads an already parsed message body. */
    public static LiftRide fromMessage(JsonNode node) throws InvalidRideException {
        requireObject(node, "message body");
        String receivedAt = requireText(node, "receivedAt");
        Instant received;
        try {
            received = Instant.parse(receivedAt);
        } catch (DateTimeParseException e) {
            throw new InvalidRideException(
                    "receivedAt must be an ISO-8601 instant, was '" + abbreviate(receivedAt) + "'");
        }
        return new LiftRide(
                requireText(node, "eventId"),
                requireInt(node, "resortId"),
                requireText(node, "seasonId"),
                requireInt(node, "dayId"),
                requireInt(node, "skierId"),
                requireInt(node, "time"),
                requireInt(node, "liftId"),
                received);
    }

    /** Parses JSON, turning any syntax error into a message with its line and column. */
    public static JsonNode parse(byte[] json) throws InvalidRideException {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new InvalidRideException("body is empty, expected JSON");
            }
            return node;
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    private static final Pattern SOURCE_NOTE = Pattern.compile("\\s*\\(start marker at \\[Source:.*$", Pattern.DOTALL);

    /** A parse failure as a client error that says where: syntax, or a value beyond {@link #CONSTRAINTS}. */
    public static InvalidRideException malformed(IOException e) {
        if (e instanceof JsonProcessingException p) {
            String where = p.getLocation() == null
                    ? ""
                    : " at line " + p.getLocation().getLineNr() + ", column "
                            + p.getLocation().getColumnNr();
            // Jackson's own text may point at the start marker in "[Source: REDACTED ...]": the line and column say it
            String message = SOURCE_NOTE.matcher(p.getOriginalMessage()).replaceAll("");
            return new InvalidRideException("malformed JSON" + where + ": " + abbreviate(message));
        }
        return new InvalidRideException("malformed JSON: " + abbreviate(e.getMessage()));
    }

    public static void requireObject(JsonNode node, String what) throws InvalidRideException {
        if (!node.isObject()) {
            throw new InvalidRideException(what + " must be a JSON object, was " + describe(node));
        }
    }

    /** The field as an int; missing, null, fractional, textual or out-of-int-range values are errors. */
    public static int requireInt(JsonNode object, String field) throws InvalidRideException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidRideException(field + " is required");
        }
        if (!value.isIntegralNumber()) {
            throw new InvalidRideException(field + " must be an integer, was " + describe(value));
        }
        if (!value.canConvertToInt()) {
            throw new InvalidRideException(field + " must be a 32-bit integer, was " + abbreviate(value.asText()));
        }
        return value.intValue();
    }

    public static String requireText(JsonNode object, String field) throws InvalidRideException {
        String text = optionalText(object, field);
        if (text == null) {
            throw new InvalidRideException(field + " is required");
        }
        return text;
    }

    /** The field as a string, or null when it is absent or JSON null; any other type is an error. */
    public static String optionalText(JsonNode object, String field) throws InvalidRideException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRideException(field + " must be a string, was " + describe(value));
        }
        return value.textValue();
    }

    /** A short description of a JSON value for an error message: its type, and its value when short. */
    public static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "the string \"" + abbreviate(value.textValue()) + "\"";
            case NUMBER, BOOLEAN ->
                value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + abbreviate(value.asText());
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_ERROR_DETAIL ? s : s.substring(0, MAX_ERROR_DETAIL) + "...";
    }
}
