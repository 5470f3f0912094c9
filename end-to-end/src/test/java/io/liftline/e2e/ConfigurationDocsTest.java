package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.query.config.QueryConfig;
import io.liftline.runtime.Setting;
import io.liftline.runtime.Settings;
import io.liftline.simulator.SimulatorConfig;
import io.liftline.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's table of settings equals the settings each service declares: every declared setting
 * has a row naming the service and its default, and every row names only services that declare it. The simulator's
 * table is its declarations, row for row.
 */
class ConfigurationDocsTest {

    /** The services as the table's "app" column names them. */
    private static final Map<String, Settings<?>> SERVICES = Map.of(
            "producer",
            ProducerConfig.SETTINGS,
            "consumer",
            ConsumerConfig.SETTINGS,
            "query API",
            QueryConfig.SETTINGS);

    /** Rows the services do not read themselves, and the file that reads each. */
    private static final Map<String, String> READ_ELSEWHERE = Map.of(
            "LIFTLINE_LOG_FORMAT", "runtime/src/main/java/io/liftline/runtime/Launcher.java",
            "LIFTLINE_LOG_LEVEL", "producer-api/src/main/resources/logback.xml",
            "LIFTLINE_JAVA_OPTS", "distribution/src/bin/liftline-launcher.sh",
            "LIFTLINE_ENV_FILE", "distribution/src/bin/liftline-launcher.sh",
            "LIFTLINE_WORKERS", "ops-tools/src/main/java/io/liftline/ops/OpsMain.java",
            "LIFTLINE_MANAGEMENT_URI", "ops-tools/src/main/java/io/liftline/ops/OpsMain.java");

    /** One row: the services it names, each with its part of the default cell. */
    private record Row(String variable, Map<String, String> defaults) {}

    private static Map<String, Row> rows;

    @BeforeAll
    static void readTheTable() throws IOException {
        rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(RepositoryFiles.resolve("docs/configuration.md"))) {
            if (line.startsWith("| variable | app | default | meaning |")) {
                inTable = true;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            if (!line.startsWith("|")) {
                break;
            }
            List<String> cells = cells(line);
            String variable = cells.get(0).replace("`", "");
            rows.put(variable, new Row(variable, defaults(cells.get(1), cells.get(2))));
        }
        assertThat(rows)
                .as("rows of the settings table in docs/configuration.md")
                .hasSizeGreaterThan(30);
    }

    @Test
    void everyDeclaredSettingHasARowWithItsServiceAndItsDefault() {
        List<String> problems = new ArrayList<>();
        SERVICES.forEach((service, settings) -> {
            for (Setting<?, ?> setting : settings.all()) {
                Row row = rows.get(setting.variable());
                if (row == null) {
                    problems.add(setting.variable() + " (" + service + ") has no row");
                } else if (!row.defaults().containsKey(service)) {
                    problems.add(setting.variable() + "'s row does not name the " + service + " (it names "
                            + row.defaults().keySet() + ")");
                } else if (!row.defaults().get(service).contains(setting.defaultText())) {
                    problems.add(setting.variable() + "'s row gives the " + service + "'s default as '"
                            + row.defaults().get(service) + "'; declared: " + setting.defaultText());
                }
            }
        });
        assertThat(problems)
                .as("docs/configuration.md against the declared settings")
                .isEmpty();
    }

    @Test
    void everyRowNamesOnlyServicesThatDeclareIt() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Row row : rows.values()) {
            if (READ_ELSEWHERE.containsKey(row.variable())) {
                String reader = Files.readString(RepositoryFiles.resolve(READ_ELSEWHERE.get(row.variable())));
                if (!reader.contains(row.variable())) {
                    problems.add(row.variable() + " is not read by " + READ_ELSEWHERE.get(row.variable()));
                }
                continue;
            }
            for (String service : row.defaults().keySet()) {
                Settings<?> settings = SERVICES.get(service);
                if (settings == null) {
                    problems.add(row.variable() + "'s row names '" + service + "', which is no service");
                } else if (settings.all().stream().noneMatch(s -> s.variable().equals(row.variable()))) {
                    problems.add(row.variable() + "'s row names the " + service + ", which does not read it");
                }
            }
        }
        assertThat(problems)
                .as("docs/configuration.md rows against the declared settings")
                .isEmpty();
    }

    @Test
    void theSimulatorsTableIsItsDeclaredSettingsInOrder() throws IOException {
        List<String> documented = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(RepositoryFiles.resolve("docs/configuration.md"))) {
            if (line.startsWith("| variable | flag | default | meaning |")) {
                inTable = true;
            } else if (inTable && line.startsWith("|") && !line.startsWith("|---")) {
                documented.add(line);
            } else if (inTable && !line.startsWith("|")) {
                break;
            }
        }
        List<String> declared = new ArrayList<>();
        for (Setting<?, ?> setting : SimulatorConfig.SETTINGS.all()) {
            declared.add("| `" + setting.variable() + "` | `" + setting.flag() + "` | " + setting.defaultText() + " | "
                    + setting.doc().replace("|", "\\|") + " |");
        }
        assertThat(documented)
                .as("docs/configuration.md's simulator table against SimulatorConfig.SETTINGS")
                .containsExactlyElementsOf(declared);
    }

    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1)) {
            cells.add(cell.strip());
        }
        return cells;
    }

    /**
     * "producer; query API" with "`8080`; `8081`" gives each service its part; "producer, consumer" shares one
     * default; "all services" names every service.
     */
    private static Map<String, String> defaults(String apps, String defaults) {
        Map<String, String> byService = new LinkedHashMap<>();
        if (apps.equals("all services")) {
            SERVICES.keySet().forEach(s -> byService.put(s, defaults));
            return byService;
        }
        String[] groups = apps.split(";");
        String[] parts = defaults.split(";");
        for (int i = 0; i < groups.length; i++) {
            String part = groups.length == parts.length ? parts[i].strip() : defaults;
            for (String service : groups[i].split(",")) {
                byService.put(service.strip(), part);
            }
        }
        return byService;
    }
}
