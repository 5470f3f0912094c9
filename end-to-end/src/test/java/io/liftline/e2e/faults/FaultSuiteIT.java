package io.liftline.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault suite: every scenario of {@link FaultSuite} against the whole pipeline, as processes, under load.
 * A few thousand rides each here; {@code scripts/faults} runs the same with more
 * ({@code -Dliftline.faults.rides}, {@code -Dliftline.faults.rate}, {@code -Dliftline.faults.seconds}).
 */
class FaultSuiteIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase(); // names the database; the suite runs its own store

    private static final List<FaultSuite.Row> rows = FaultSuite.newTable();
    private static Pipeline pipeline;
    private static FaultSuite suite;

    @BeforeAll
    static void startThePipeline() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "faults"));
        pipeline = new Pipeline(rabbit, mongo.databaseName(), Files.createTempDirectory(work, "run"));
        pipeline.start();
        suite = new FaultSuite(
                pipeline,
                rabbit,
                mongo.databaseName(),
                Integer.getInteger("liftline.faults.rides", 3_000),
                Double.parseDouble(System.getProperty("liftline.faults.rate", "200")));
    }

    @AfterAll
    static void stopThePipelineAndPrintTheTable() throws Exception {
        try {
            TestBroker.memoryAlarm(false);
            TestBroker.diskAlarm(false);
        } finally {
            if (pipeline != null) {
                pipeline.close();
            }
            String table = FaultSuite.table(rows);
            System.out.println("\nFault suite (" + suite + "):\n" + table);
            Files.writeString(Path.of("target", "faults", "table.txt"), table);
        }
    }

    static List<FaultSuite.Scenario> scenarios() {
        // -Dliftline.faults.only=store|alarm runs the scenarios whose name contains one of those words
        String only = System.getProperty("liftline.faults.only", "");
        List<String> words = only.isBlank()
                ? List.of("")
                : List.of(only.toLowerCase(Locale.ROOT).split("\\|"));
        return FaultSuite.scenarios().stream()
                .filter(s -> words.stream()
                        .anyMatch(w -> s.name().toLowerCase(Locale.ROOT).contains(w)))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyAcceptedRideIsStoredOnceAndUnchanged(FaultSuite.Scenario scenario) throws Exception {
        pipeline.awaitHealthy(Duration.ofSeconds(120));
        FaultSuite.Row row = suite.run(scenario);
        rows.add(row);
        System.out.println(FaultSuite.table(List.of(row)));

        assertThat(row.accepted())
                .as("every ride accepted in the end (retried through the fault)")
                .isEqualTo(row.rides());
        assertThat(row.missing()).as("missing").isZero();
        assertThat(row.altered()).as("altered").isZero();
        assertThat(row.duplicates()).as("stored twice").isZero();
        assertThat(row.summaryDifferences())
                .as("summaries that differ from the stored rides")
                .isEmpty();
        assertThat(row.recoverySeconds())
                .as("seconds to healthy after the fault")
                .isLessThan(120);
        assertThat(row.notReadySeen())
                .as("readiness DOWN while they could not do their job")
                .containsAll(scenario.mustGoDown());
        if (scenario.name().equals(FaultSuite.ROLLING_RESTART)) {
            assertThat(row.unavailable())
                    .as("503s in a rolling restart behind the balancer")
                    .isZero();
            assertThat(row.retries())
                    .as("requests retried in a rolling restart behind the balancer")
                    .isZero();
        }
        if (scenario.name().startsWith("poison")) {
            assertThat(row.note()).matches("poison (\\d+) sent, \\1 dead-lettered");
        }
    }
}
