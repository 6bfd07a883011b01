package dev.runnel.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the records of a scenario's runs into Markdown: per case one table with, for each metric,
 * the median over the runs and its spread (min–max) for Runnel and for the baseline, and the ratio
 * of the medians (Runnel / baseline; below 1 is better for times, costs and sizes, above 1 for rates).
 *
 * <p>Threading: stateless.
 */
final class Report {
    private static final Set<String> META = Set.of("server", "run", "case", "load average", "correct", "first error");

    private Report() {}

    static String markdown(String scenario, Map<String, String> flags, Bench.Options options,
            List<Map<String, Object>> records) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(scenario).append("\n\n");
        StringBuilder shown = new StringBuilder();
        flags.forEach((k, v) -> {
            if (!k.isEmpty()) {
                shown.append(shown.length() == 0 ? "" : " ").append("--").append(k).append(' ').append(v);
            }
        });
        md.append("Flags: `").append(shown.length() == 0 ? "(defaults)" : shown).append("`; runs: ").append(options.runs).append("; server JVM: `")
                .append(String.join(" ", options.serverJvm)).append("`\n\n");
        Map<String, List<Map<String, Object>>> byCase = new LinkedHashMap<>();
        for (Map<String, Object> r : records) {
            byCase.computeIfAbsent((String) r.get("case"), k -> new ArrayList<>()).add(r);
        }
        for (var e : byCase.entrySet()) {
            md.append("#### ").append(e.getKey()).append("\n\n");
            Set<String> metrics = new LinkedHashSet<>();
            for (Map<String, Object> r : e.getValue()) {
                r.keySet().stream().filter(k -> !META.contains(k)).forEach(metrics::add);
            }
            md.append("| metric | Runnel median (min–max) | baseline median (min–max) | Runnel / baseline |\n");
            md.append("|---|---|---|---|\n");
            for (String metric : metrics) {
                double[] a = values(e.getValue(), "runnel", metric);
                double[] b = values(e.getValue(), "baseline", metric);
                md.append("| ").append(metric).append(" | ").append(cell(a)).append(" | ").append(cell(b))
                        .append(" | ").append(ratio(a, b)).append(" |\n");
            }
            for (String server : List.of("runnel", "baseline")) {
                List<String> verdicts = new ArrayList<>();
                List<String> loads = new ArrayList<>();
                for (Map<String, Object> r : e.getValue()) {
                    if (server.equals(r.get("server"))) {
                        verdicts.add(Boolean.TRUE.equals(r.get("correct")) ? "ok"
                                : "FAILED" + (r.containsKey("first error") ? " (" + r.get("first error") + ")" : ""));
                        loads.add(String.valueOf(r.get("load average")));
                    }
                }
                if (!verdicts.isEmpty()) {
                    md.append("\n").append(server).append(": runs ").append(verdicts).append("; load average before each: ")
                            .append(loads);
                }
            }
            md.append("\n\n");
        }
        return md.toString();
    }

    private static double[] values(List<Map<String, Object>> records, String server, String metric) {
        return records.stream().filter(r -> server.equals(r.get("server")) && r.get(metric) instanceof Double)
                .mapToDouble(r -> (Double) r.get(metric)).filter(d -> !Double.isNaN(d)).sorted().toArray();
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String cell(double[] v) {
        if (v.length == 0) {
            return "–";
        }
        if (v.length == 1) {
            return number(v[0]);
        }
        return number(median(v)) + " (" + number(v[0]) + "–" + number(v[v.length - 1]) + ")";
    }

    private static String ratio(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0 || median(b) == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f", median(a) / median(b));
    }

    static String number(double d) {
        double abs = Math.abs(d);
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        if (abs >= 10 || d == Math.rint(d)) {
            return String.format(Locale.ROOT, "%.1f", d).replace(".0", "");
        }
        return String.format(Locale.ROOT, "%.3g", d);
    }

    static String join(double[] v) {
        return Arrays.toString(v);
    }
}
