package io.liftline.model;

import java.util.List;

/** A ride, or its JSON, that breaks the contract; the message says what is wrong and where. */
public final class InvalidRideException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidRideException(String problem) {
        this(List.of(problem));
    }

    public InvalidRideException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, e.g. {@code "skierID must be in 1..100000, was 0"}. */
    public List<String> problems() {
        return problems;
    }

    /** The same problems, each prefixed with where they are, e.g. {@code "rides[3]."}. */
    public InvalidRideException at(String prefix) {
        return new InvalidRideException(problems.stream().map(p -> prefix + p).toList());
    }
}
