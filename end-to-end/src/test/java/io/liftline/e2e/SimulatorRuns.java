package io.liftline.e2e;

import io.liftline.runtime.Values;
import io.liftline.simulator.SimulatorConfig;
import java.time.Duration;

/** The simulator as the end-to-end tests run it: Upic single POSTs to a producer, verified against the store. */
public final class SimulatorRuns {

    private SimulatorRuns() {}

    /**
     * A run of {@code events} rides posted to {@code url} (one producer, or several comma-separated), each then looked
     * for in the store, without progress lines; the caller sets the rest (threads, retries, rate...).
     */
    public static Values verified(String url, int events, String runId, String mongodbUri, String database) {
        return Values.defaults()
                .set(SimulatorConfig.URL, url)
                .set(SimulatorConfig.EVENTS, events)
                .set(SimulatorConfig.MODE, "upic")
                .set(SimulatorConfig.BATCH_SIZE, 100)
                .set(SimulatorConfig.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .set(SimulatorConfig.RUN_ID, runId)
                .set(SimulatorConfig.VERIFY, true)
                .set(SimulatorConfig.MONGODB_URI, mongodbUri)
                .set(SimulatorConfig.MONGODB_DATABASE, database)
                .set(SimulatorConfig.VERIFY_TIMEOUT, Duration.ofSeconds(60))
                .set(SimulatorConfig.PROGRESS, false);
    }
}
