package io.liftline.management;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String TEXT = """
            # HELP liftline_rides_stored_total rides stored
            # TYPE liftline_rides_stored_total counter
            liftline_rides_stored_total 42.0
            liftline_rides_stored_total_extra 7.0
            liftline_ride_lag_recent_seconds{quantile="0.5"} 0.25
            liftline_ride_lag_recent_seconds{quantile="0.99"} NaN
            liftline_http_requests_seconds_count{method="POST",status="201"} 10.0
            liftline_http_requests_seconds_count{method="POST",status="503"} 2.0 1700000000000
            """;

    @Test
    void readsOneSampleByItsNameAndLabels() {
        assertThat(PrometheusText.value(TEXT, "liftline_rides_stored_total")).isEqualTo(42.0);
        assertThat(PrometheusText.value(TEXT, "liftline_ride_lag_recent_seconds{quantile=\"0.5\"}"))
                .isEqualTo(0.25);
        assertThat(PrometheusText.value(TEXT, "liftline_ride_lag_recent_seconds{quantile=\"0.99\"}"))
                .isNaN();
        assertThat(PrometheusText.value(TEXT, "liftline_rides_stored"))
                .as("no such sample")
                .isNaN();
    }

    @Test
    void sumsEverySeriesOfAMetric() {
        assertThat(PrometheusText.sum(TEXT, "liftline_http_requests_seconds_count"))
                .isEqualTo(12.0);
        assertThat(PrometheusText.sum(TEXT, "liftline_rides_stored_total"))
                .as("not the _extra metric")
                .isEqualTo(42.0);
        assertThat(PrometheusText.sum(TEXT, "liftline_nothing")).isZero();
    }
}
