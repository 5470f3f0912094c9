package io.liftline.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The allowed values of each field of a ride, and the validation of a ride against them.
 *
 * <p>Field names are the Upic API's ({@code resortID}, {@code skierID}, ...), because those are the names
 * clients send and read in error messages. The defaults are the Upic ones; {@link #parse} overrides some.
 */
public final class RideRanges {

    /** An inclusive range of ints. */
    public record Range(int min, int max) {
        public Range {
            if (min > max) {
                throw new IllegalArgumentException("range " + min + ".." + max + " is empty");
            }
        }

        public boolean contains(long value) {
            return value >= min && value <= max;
        }

        @Override
        public String toString() {
            return min + ".." + max;
        }
    }

    public static final String RESORT_ID = "resortID";
    public static final String SEASON_ID = "seasonID";
    public static final String DAY_ID = "dayID";
    public static final String SKIER_ID = "skierID";
    public static final String TIME = "time";
    public static final String LIFT_ID = "liftID";

    public static final Range DEFAULT_RESORT_ID = new Range(1, 10);
    public static final Range DEFAULT_SEASON_ID = new Range(2000, 2100);
    public static final Range DEFAULT_DAY_ID = new Range(1, 366);
    public static final Range DEFAULT_SKIER_ID = new Range(1, 100_000);
    public static final Range DEFAULT_TIME = new Range(1, 360);
    public static final Range DEFAULT_LIFT_ID = new Range(1, 40);

    /** Event ids are 1..128 printable ASCII characters (space through tilde). */
    public static final int MAX_EVENT_ID_LENGTH = 128;

    private static final RideRanges DEFAULTS = new RideRanges(defaultMap());
    private static final Pattern ENTRY = Pattern.compile("\\s*(\\w+)\\s*=\\s*(-?\\d+)\\s*\\.\\.\\s*(-?\\d+)\\s*");
    private static final Pattern SEASON = Pattern.compile("\\d{4}");
    /** An id as URL text: nine digits at most (every range fits an int), a minus sign allowed to say "out of range". */
    private static final Pattern TEXT_ID = Pattern.compile("-?\\d{1,9}");
    /** URL text is quoted back in a message up to this length. */
    private static final int QUOTED = 32;

    /**
     * An id read from URL text (a path segment, a query parameter): its value when {@code problem} is null, else the
     * message that says what is wrong with it.
     */
    public record TextId(int value, String problem) {
        public boolean valid() {
            return problem == null;
        }
    }

    private final Map<String, Range> ranges;

    private RideRanges(Map<String, Range> ranges) {
        this.ranges = Map.copyOf(ranges);
    }

    public static RideRanges defaults() {
        return DEFAULTS;
    }

    /**
     * The defaults with some ranges replaced, from a spec like {@code "skierID=1..200000, liftID=1..60"}
     * (the value of {@code LIFTLINE_RANGES}); null or blank means the defaults.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code field=min..max} of a known field
     */
    public static RideRanges parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return DEFAULTS;
        }
        Map<String, Range> map = defaultMap();
        for (String entry : spec.split(",")) {
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("ranges: '" + entry.strip() + "' is not field=min..max");
            }
            String field = m.group(1);
            if (!map.containsKey(field)) {
                throw new IllegalArgumentException(
                        "ranges: unknown field '" + field + "', expected one of " + map.keySet());
            }
            map.put(field, new Range(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
        }
        return new RideRanges(map);
    }

    public Range range(String field) {
        return Objects.requireNonNull(ranges.get(field), field);
    }

    /**
     * Reads {@code field}'s id from URL text, as every API reads one, with one message per mistake:
     * {@code resortID in the path must be an integer, was 'abc'}, {@code resortID in the path must be in 1..10, was -1}.
     *
     * @param where where the text was, said after the field: "in the path", "(query parameter 'resort')"
     */
    public TextId textId(String text, String field, String where) {
        return textInt(text, field, range(field), where);
    }

    /**
     * Reads an integer in {@code range} from URL text: {@code limit must be in 1..100, was 0}.
     *
     * @param where where the text was, said after the field; empty to say nothing
     */
    public static TextId textInt(String text, String field, Range range, String where) {
        String name = where.isEmpty() ? field : field + " " + where;
        if (!TEXT_ID.matcher(text).matches()) {
            return new TextId(0, name + " must be an integer, was '" + quoted(text) + "'");
        }
        int value = Integer.parseInt(text);
        return range.contains(value)
                ? new TextId(value, null)
                : new TextId(value, name + " must be in " + range + ", was " + value);
    }

    /** As {@link #textId} for seasonID, which is a year: {@code seasonID in the path must be a year in 2000..2100, was 'x'}. */
    public TextId textSeason(String text, String where) {
        Range range = range(SEASON_ID);
        if (SEASON.matcher(text).matches() && range.contains(Integer.parseInt(text))) {
            return new TextId(Integer.parseInt(text), null);
        }
        return new TextId(0, SEASON_ID + " " + where + " must be a year in " + range + ", was '" + quoted(text) + "'");
    }

    private static String quoted(String text) {
        return text.length() <= QUOTED ? text : text.substring(0, QUOTED) + "...";
    }

    /** Every problem of the ride, as messages that name the field and its allowed range; empty when valid. */
    public List<String> violations(LiftRide ride) {
        List<String> problems = new ArrayList<>();
        String eventIdProblem = eventIdProblem(ride.eventId());
        if (eventIdProblem != null) {
            problems.add(eventIdProblem);
        }
        check(problems, RESORT_ID, ride.resortId());
        String season = ride.seasonId();
        if (!SEASON.matcher(season).matches() || !range(SEASON_ID).contains(Integer.parseInt(season))) {
            problems.add(SEASON_ID + " must be a year in " + range(SEASON_ID) + ", was '" + season + "'");
        }
        check(problems, DAY_ID, ride.dayId());
        check(problems, SKIER_ID, ride.skierId());
        check(problems, TIME, ride.time());
        check(problems, LIFT_ID, ride.liftId());
        return problems;
    }

    public void validate(LiftRide ride) throws InvalidRideException {
        List<String> problems = violations(ride);
        if (!problems.isEmpty()) {
            throw new InvalidRideException(problems);
        }
    }

    /**
     * As {@link #validate}, for a ride taken off the queue: its id may carry the {@code <client>:} prefix the
     * producer adds for an authenticated client ({@link LiftRide#ofClient}); the rest is the client's id.
     */
    public void validateMessage(LiftRide ride) throws InvalidRideException {
        String clientId = LiftRide.clientEventId(ride.eventId());
        validate(
                clientId.equals(ride.eventId())
                        ? ride
                        : new LiftRide(
                                clientId,
                                ride.resortId(),
                                ride.seasonId(),
                                ride.dayId(),
                                ride.skierId(),
                                ride.time(),
                                ride.liftId(),
                                ride.receivedAt()));
    }

    /** Why the event id is unacceptable, or null when it is fine. */
    public static String eventIdProblem(String eventId) {
        if (eventId.isEmpty() || eventId.length() > MAX_EVENT_ID_LENGTH) {
            return "eventId must be 1.." + MAX_EVENT_ID_LENGTH + " characters, was " + eventId.length();
        }
        for (int i = 0; i < eventId.length(); i++) {
            char c = eventId.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "eventId must be printable ASCII, has character " + String.format("U+%04X", (int) c) + " at "
                        + i;
            }
        }
        return null;
    }

    private void check(List<String> problems, String field, int value) {
        Range range = range(field);
        if (!range.contains(value)) {
            problems.add(field + " must be in " + range + ", was " + value);
        }
    }

    private static Map<String, Range> defaultMap() {
        Map<String, Range> map = new LinkedHashMap<>();
        map.put(RESORT_ID, DEFAULT_RESORT_ID);
        map.put(SEASON_ID, DEFAULT_SEASON_ID);
        map.put(DAY_ID, DEFAULT_DAY_ID);
        map.put(SKIER_ID, DEFAULT_SKIER_ID);
        map.put(TIME, DEFAULT_TIME);
        map.put(LIFT_ID, DEFAULT_LIFT_ID);
        return map;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Range> e : defaultMap().entrySet()) {
            sb.append(sb.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(range(e.getKey()));
        }
        return sb.toString();
    }
}
