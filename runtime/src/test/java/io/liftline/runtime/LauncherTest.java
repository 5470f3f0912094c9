package io.liftline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LauncherTest {

    @Test
    void logFormatIsTextOrJsonOrUnset() {
        assertThat(Launcher.logFormatProblem(Map.<String, String>of()::get)).isNull();
        assertThat(Launcher.logFormatProblem(Map.of("LIFTLINE_LOG_FORMAT", "json")::get))
                .isNull();
        assertThat(Launcher.logFormatProblem(Map.of("LIFTLINE_LOG_FORMAT", "text")::get))
                .isNull();
        assertThat(Launcher.logFormatProblem(Map.of("LIFTLINE_LOG_FORMAT", "JSON")::get))
                .isEqualTo("LIFTLINE_LOG_FORMAT must be text or json, was 'JSON'");
    }
}
