package io.liftline.service;

import io.liftline.model.RideRanges;
import io.liftline.runtime.Setting;
import java.util.function.Function;

/** The ride settings every service that takes or answers about rides declares alike, each declared once here. */
public final class RideSettings {

    private RideSettings() {}

    /**
     * {@code LIFTLINE_RANGES}: the ids a ride may carry, the Upic ranges by default. The producer, the workers and
     * the read API must be given the same; each says what the ranges mean to it ({@link Setting#doc}).
     */
    public static <C> Setting<C, RideRanges> ranges(Function<C, RideRanges> getter) {
        return Setting.of(
                        "LIFTLINE_RANGES",
                        getter,
                        RideRanges::parse,
                        "id ranges such as skierID=1..200000,liftID=1..60")
                .byDefault(RideRanges.defaults(), "Upic ranges")
                .doc("the ids a ride may carry");
    }
}
