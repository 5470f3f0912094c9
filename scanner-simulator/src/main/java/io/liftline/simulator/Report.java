package io.liftline.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import org.HdrHistogram.Histogram;

/** The figures of a run, as the final text report and as a self-contained HTML page with SVG charts. */
final class Report {

    /** Latency percentiles shown in the report, in this order. */
    static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.9};

    private final long ok;
    private final long failed;
    private final long retries;
    private final long requests;
    private final double seconds;
    private final Histogram latency;
    private final NavigableMap<Long, Long> perSecond;

    Report(LoadStats stats, long elapsedNanos) {
        this.ok = stats.okCount();
        this.failed = stats.failedCount();
        this.retries = stats.retryCount();
        this.requests = stats.requestCount();
        this.seconds = elapsedNanos / 1e9;
        this.latency = stats.histogram();
        this.perSecond = stats.throughputPerSecond();
    }

    double throughput() {
        return seconds <= 0 ? 0 : ok / seconds;
    }

    /** Milliseconds at a percentile of all request latencies. */
    double percentileMs(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    double meanMs() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0;
    }

    double maxMs() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
    }

    String text() {
        return String.format(Locale.ROOT, "%d rides ok, %d failed, %d retries, %d requests in %.1f s: %.0f rides/s; "
                        + "latency ms mean %.1f, median %.1f, p95 %.1f, p99 %.1f, max %.1f",
                ok, failed, retries, requests, seconds, throughput(), meanMs(), percentileMs(50), percentileMs(95),
                percentileMs(99), maxMs());
    }

    String html(SimulatorConfig config, String verification) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Liftline load report ")
                .append(escape(config.runId())).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.4rem}")
                .append("table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .7rem;text-align:right}")
                .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.bad{color:#b00020}")
                .append("svg{background:#fafafa;border:1px solid #ddd}</style></head><body>\n");
        h.append("<h1>Liftline load report: ").append(escape(config.runId())).append("</h1>\n<p>")
                .append(escape(config.toString())).append("</p>\n");
        h.append("<table id=\"summary\"><tr><th>figure</th><th>value</th></tr>\n");
        row(h, "rides ok (201)", Long.toString(ok));
        row(h, "rides failed", Long.toString(failed));
        row(h, "retries", Long.toString(retries));
        row(h, "requests", Long.toString(requests));
        row(h, "wall time (s)", fmt(seconds));
        row(h, "throughput (rides/s)", fmt(throughput()));
        row(h, "latency mean (ms)", fmt(meanMs()));
        for (double p : PERCENTILES) {
            row(h, "latency p" + trim(p) + " (ms)", fmt(percentileMs(p)));
        }
        row(h, "latency max (ms)", fmt(maxMs()));
        if (verification != null) {
            row(h, "verification", escape(verification));
        }
        h.append("</table>\n<h2>Throughput over time (rides answered 201 per second)</h2>\n");
        h.append(lineChart(perSecond));
        h.append("<h2>Latency percentiles (ms)</h2>\n");
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (double p : PERCENTILES) {
            labels.add("p" + trim(p));
            values.add(percentileMs(p));
        }
        labels.add("max");
        values.add(maxMs());
        h.append(barChart(labels, values));
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String lineChart(NavigableMap<Long, Long> series) {
        int width = 760;
        int height = 260;
        int pad = 40;
        long maxY = Math.max(1, series.values().stream().mapToLong(Long::longValue).max().orElse(1));
        long maxX = Math.max(1, series.isEmpty() ? 1 : series.lastKey());
        StringBuilder points = new StringBuilder();
        for (Map.Entry<Long, Long> e : series.entrySet()) {
            double x = pad + (width - 2.0 * pad) * e.getKey() / maxX;
            double y = height - pad - (height - 2.0 * pad) * e.getValue() / maxY;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return "<svg id=\"throughput\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height
                + "\" xmlns=\"http://www.w3.org/2000/svg\">"
                + axes(width, height, pad)
                + "<text x=\"" + pad + "\" y=\"" + (pad - 8) + "\" font-size=\"12\">" + maxY + " rides/s</text>"
                + "<text x=\"" + (width - pad) + "\" y=\"" + (height - pad + 16) + "\" font-size=\"12\" text-anchor=\"end\">" + maxX + " s</text>"
                + "<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"" + points.toString().strip() + "\"/></svg>\n";
    }

    private static String barChart(List<String> labels, List<Double> values) {
        int width = 760;
        int height = 260;
        int pad = 40;
        double max = Math.max(0.001, values.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        double slot = (width - 2.0 * pad) / labels.size();
        StringBuilder bars = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            double h = (height - 2.0 * pad) * values.get(i) / max;
            double x = pad + i * slot + slot * 0.15;
            bars.append(String.format(Locale.ROOT,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2e7d32\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>"
                            + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    x, height - pad - h, slot * 0.7, h, x + slot * 0.35, height - pad + 16, labels.get(i),
                    x + slot * 0.35, height - pad - h - 4, fmt(values.get(i))));
        }
        return "<svg id=\"latency\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height
                + "\" xmlns=\"http://www.w3.org/2000/svg\">" + axes(width, height, pad) + bars + "</svg>\n";
    }

    private static String axes(int width, int height, int pad) {
        return "<line x1=\"" + pad + "\" y1=\"" + (height - pad) + "\" x2=\"" + (width - pad) + "\" y2=\"" + (height - pad)
                + "\" stroke=\"#888\"/><line x1=\"" + pad + "\" y1=\"" + pad + "\" x2=\"" + pad + "\" y2=\"" + (height - pad)
                + "\" stroke=\"#888\"/>";
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><td>").append(name).append("</td><td>").append(value).append("</td></tr>\n");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
