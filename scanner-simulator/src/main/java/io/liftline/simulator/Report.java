package io.liftline.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
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
    private final List<LoadStats.Second> timeline;
    private final List<QueueSampler.Sample> queue;
    private final long unavailable;

    Report(LoadStats stats, long elapsedNanos) {
        this(stats, elapsedNanos, List.of());
    }

    /** @param queue the ride queues sampled during the run (empty: not sampled) */
    Report(LoadStats stats, long elapsedNanos, List<QueueSampler.Sample> queue) {
        this.timeline = stats.seconds();
        this.queue = queue;
        this.unavailable = stats.unavailableCount();
        this.ok = stats.okCount();
        this.failed = stats.failedCount();
        this.retries = stats.retryCount();
        this.requests = stats.requestCount();
        this.seconds = elapsedNanos / 1e9;
        this.latency = stats.histogram();
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
        return String.format(
                Locale.ROOT,
                "%d rides ok, %d failed, %d retries, %d requests in %.1f s: %.0f rides/s; "
                        + "latency ms mean %.1f, median %.1f, p95 %.1f, p99 %.1f, max %.1f",
                ok,
                failed,
                retries,
                requests,
                seconds,
                throughput(),
                meanMs(),
                percentileMs(50),
                percentileMs(95),
                percentileMs(99),
                maxMs());
    }

    String html(SimulatorConfig config, String verification) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Liftline load report ")
                .append(escape(config.runId()))
                .append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.4rem}")
                .append(
                        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .7rem;text-align:right}")
                .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.bad{color:#b00020}")
                .append("svg{background:#fafafa;border:1px solid #ddd}</style></head><body>\n");
        h.append("<h1>Liftline load report: ")
                .append(escape(config.runId()))
                .append("</h1>\n<p>")
                .append(escape(config.toString()))
                .append("</p>\n");
        h.append("<table id=\"summary\"><tr><th>figure</th><th>value</th></tr>\n");
        row(h, "rides ok (201)", Long.toString(ok));
        row(h, "rides failed", Long.toString(failed));
        row(h, "retries", Long.toString(retries));
        row(h, "503 answers", Long.toString(unavailable));
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
        h.append("</table>\n");
        double end = Math.max(1, timeline.size());
        h.append("<h2>Throughput</h2>\n")
                .append(timeChart(
                        "throughput",
                        "rides/s",
                        end,
                        List.of(series("rides answered 201", "#1565c0", timeline, AT_SECOND, x -> (double) x.ok()))));
        h.append("<h2>Latency over time</h2>\n")
                .append(timeChart(
                        "latency-over-time",
                        "ms",
                        end,
                        List.of(
                                series("p50", "#2e7d32", timeline, AT_SECOND, LoadStats.Second::p50Ms),
                                series("p95", "#f9a825", timeline, AT_SECOND, LoadStats.Second::p95Ms),
                                series("p99", "#c62828", timeline, AT_SECOND, LoadStats.Second::p99Ms))));
        h.append("<h2>503 answers and retries</h2>\n")
                .append(timeChart(
                        "unavailable",
                        "requests/s",
                        end,
                        List.of(
                                series("503 answers", "#c62828", timeline, AT_SECOND, x -> (double) x.unavailable()),
                                series("retries", "#6a1b9a", timeline, AT_SECOND, x -> (double) x.retries()))));
        List<QueueSampler.Sample> depths =
                queue.stream().filter(s -> s.ready() >= 0).toList();
        if (depths.isEmpty()) {
            h.append("<p id=\"queue-absent\">Queue depth and consumers were not sampled (no --management-uri).</p>\n");
        } else {
            List<QueueSampler.Sample> queue = depths;
            double queueEnd = Math.max(end, queue.get(queue.size() - 1).second());
            h.append("<h2>Queue depth (lift-rides, sampled from the management API)</h2>\n")
                    .append(timeChart(
                            "queue-depth",
                            "messages",
                            queueEnd,
                            List.of(
                                    series("ready", "#1565c0", queue, SAMPLED_AT, QueueSampler.Sample::ready),
                                    series("unacked", "#ef6c00", queue, SAMPLED_AT, QueueSampler.Sample::unacked))));
            h.append("<h2>Consumers (lift-rides)</h2>\n")
                    .append(timeChart(
                            "consumers",
                            "consumers",
                            queueEnd,
                            List.of(series(
                                    "consumers", "#2e7d32", queue, SAMPLED_AT, QueueSampler.Sample::consumers))));
        }
        if (queue.stream().noneMatch(s -> !Double.isNaN(s.lagP99()))) {
            h.append("<p id=\"lag-absent\">Freshness was not sampled (no --workers).</p>\n");
        } else {
            double lagEnd = Math.max(end, queue.get(queue.size() - 1).second());
            h.append("<h2>Freshness: from a ride's 201 to its store (the workers' lag over their last minute)</h2>\n")
                    .append(timeChart(
                            "lag",
                            "seconds",
                            lagEnd,
                            List.of(
                                    series("lag p50", "#2e7d32", queue, SAMPLED_AT, QueueSampler.Sample::lagP50),
                                    series("lag p99", "#c62828", queue, SAMPLED_AT, QueueSampler.Sample::lagP99))));
        }
        h.append("<h2>Latency percentiles over the whole run (ms)</h2>\n");
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

    private static final ToDoubleFunction<LoadStats.Second> AT_SECOND = LoadStats.Second::second;
    private static final ToDoubleFunction<QueueSampler.Sample> SAMPLED_AT = QueueSampler.Sample::second;

    /** A line of a chart: its name, colour and points (x in seconds of the run). */
    record Series(String name, String color, List<double[]> points) {}

    /** A line through {@code items} at ({@code x}, {@code y}); items without a value (NaN: lag not sampled) are left out. */
    private static <T> Series series(
            String name, String color, List<T> items, ToDoubleFunction<T> x, ToDoubleFunction<T> y) {
        List<double[]> points = new ArrayList<>();
        for (T item : items) {
            if (!Double.isNaN(y.applyAsDouble(item))) {
                points.add(new double[] {x.applyAsDouble(item), y.applyAsDouble(item)});
            }
        }
        return new Series(name, color, points);
    }

    /** Lines over the run's time, with ticked and labelled axes (seconds; the unit) and a legend. */
    static String timeChart(String id, String unit, double maxX, List<Series> lines) {
        int width = 760;
        int height = 280;
        int left = 64;
        int right = 20;
        int top = 28;
        int bottom = 46;
        double maxY = 0;
        for (Series line : lines) {
            for (double[] p : line.points()) {
                maxY = Math.max(maxY, p[1]);
            }
        }
        // counts (consumers, messages) never get fractional ticks
        double yStep = unit.equals("ms") ? niceStep(maxY <= 0 ? 1 : maxY) : Math.max(1, niceStep(maxY <= 0 ? 1 : maxY));
        double yTop = Math.max(yStep, Math.ceil(maxY / yStep) * yStep);
        double xStep = niceStep(maxX);
        double xEnd = Math.max(xStep, Math.ceil(maxX / xStep) * xStep);
        double plotW = width - left - right;
        double plotH = height - top - bottom;
        StringBuilder svg = new StringBuilder(4_096);
        svg.append("<svg id=\"")
                .append(id)
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
            double py = top + plotH - plotH * y / yTop;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
                            + "<text class=\"ytick\" x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    left,
                    py,
                    width - right,
                    py,
                    left - 6,
                    py + 4,
                    tick(y)));
        }
        for (double x = 0; x <= xEnd + xStep / 2; x += xStep) {
            double px = left + plotW * x / xEnd;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>"
                            + "<text class=\"xtick\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    px,
                    top + plotH,
                    px,
                    top + plotH + 5,
                    px,
                    top + plotH + 18,
                    tick(x)));
        }
        svg.append(axes(left, top, width - right, top + plotH));
        svg.append(String.format(
                Locale.ROOT,
                "<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">"
                        + "time since the start (s)</text>",
                left + plotW / 2,
                height - 6));
        svg.append(String.format(
                Locale.ROOT,
                "<text class=\"ylabel\" transform=\"translate(14,%.1f) rotate(-90)\" font-size=\"12\" "
                        + "text-anchor=\"middle\">%s</text>",
                top + plotH / 2,
                escape(unit)));
        int legendX = left + 8;
        for (Series line : lines) {
            StringBuilder points = new StringBuilder();
            for (double[] p : line.points()) {
                points.append(String.format(
                        Locale.ROOT, "%.1f,%.1f ", left + plotW * p[0] / xEnd, top + plotH - plotH * p[1] / yTop));
            }
            svg.append("<polyline class=\"series\" data-name=\"")
                    .append(escape(line.name()))
                    .append("\" fill=\"none\" stroke=\"")
                    .append(line.color())
                    .append("\" stroke-width=\"2\" points=\"")
                    .append(points.toString().strip())
                    .append("\"/>");
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                            + "<text class=\"legend\" x=\"%d\" y=\"18\" font-size=\"12\">%s</text>",
                    legendX,
                    line.color(),
                    legendX + 16,
                    escape(line.name())));
            legendX += 28 + 7 * line.name().length();
        }
        return svg.append("</svg>\n").toString();
    }

    /** A round step (1, 2 or 5 times a power of ten) that cuts 0..max into about five ticks. */
    static double niceStep(double max) {
        double rough = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * magnitude >= rough) {
                return factor * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double v) {
        if (v >= 1_000_000) {
            return trim(v / 1_000_000) + "M";
        }
        if (v >= 10_000) {
            return trim(v / 1_000) + "k";
        }
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String barChart(List<String> labels, List<Double> values) {
        int width = 760;
        int height = 260;
        int pad = 40;
        double max = Math.max(
                0.001, values.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        double slot = (width - 2.0 * pad) / labels.size();
        StringBuilder bars = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            double h = (height - 2.0 * pad) * values.get(i) / max;
            double x = pad + i * slot + slot * 0.15;
            bars.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2e7d32\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>"
                            + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    x,
                    height - pad - h,
                    slot * 0.7,
                    h,
                    x + slot * 0.35,
                    height - pad + 16,
                    labels.get(i),
                    x + slot * 0.35,
                    height - pad - h - 4,
                    fmt(values.get(i))));
        }
        StringBuilder ticks = new StringBuilder();
        double step = niceStep(max);
        double yTop = Math.ceil(max / step) * step;
        for (double y = 0; y <= yTop + step / 2; y += step) {
            double py = height - pad - (height - 2.0 * pad) * y / max;
            if (py >= pad - 1) {
                ticks.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>"
                                + "<text class=\"ytick\" x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                        pad - 5,
                        py,
                        pad,
                        py,
                        pad - 7,
                        py + 4,
                        tick(y)));
            }
        }
        return "<svg id=\"latency\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " "
                + height
                + "\" xmlns=\"http://www.w3.org/2000/svg\">" + axes(pad, pad, width - pad, height - pad) + ticks
                + "<text class=\"ylabel\" transform=\"translate(12," + height / 2
                + ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">ms</text>"
                + bars + "</svg>\n";
    }

    /** The x axis along the bottom and the y axis along the left of the plot area. */
    private static String axes(double x0, double y0, double x1, double y1) {
        return String.format(
                Locale.ROOT,
                "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>"
                        + "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>",
                x0,
                y1,
                x1,
                y1,
                x0,
                y0,
                x0,
                y1);
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
