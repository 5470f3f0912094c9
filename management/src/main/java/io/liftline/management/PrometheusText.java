package io.liftline.management;

/**
 * Reads samples out of the Prometheus text that the services' {@code /metrics} answer: what {@code scripts/status},
 * the load report and the tests take from a running service.
 */
public final class PrometheusText {

    private PrometheusText() {}

    /**
     * The value of one sample, e.g. {@code liftline_ride_lag_recent_seconds{quantile="0.99"}} or
     * {@code liftline_rides_stored_total}; NaN when the text has no such sample.
     */
    public static double value(String text, String sample) {
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return parse(line.substring(sample.length() + 1));
            }
        }
        return Double.NaN;
    }

    /** The sum of every series of a metric, whatever their labels; 0 when there is none. */
    public static double sum(String text, String metric) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(metric + " ")) {
                sum += parse(line.substring(metric.length() + 1));
            } else if (line.startsWith(metric + "{")) {
                // The value follows the labels, whose quoted values may hold spaces.
                sum += parse(line.substring(line.lastIndexOf("} ") + 2));
            }
        }
        return sum;
    }

    private static double parse(String value) {
        String v = value.strip();
        // A sample may carry a timestamp after its value.
        int space = v.indexOf(' ');
        return Double.parseDouble(space < 0 ? v : v.substring(0, space));
    }
}
