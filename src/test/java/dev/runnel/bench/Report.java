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
 * the median over the runs and its spread (min–max) for every server, and the ratio of each server's
 * median to the reference's, measured in the same runs: nchan where it ran, else the baseline (below 1
 * is better for times, costs and sizes, above 1 for rates). A {@code flatout} case adds the time series
 * of each server's first run.
 *
 * <p>Threading: stateless.
 */
final class Report {
    private static final Set<String> META = Set.of("server", "run", "case", "load average", "correct", "first error",
            "series");

    private Report() {}

    static String markdown(String scenario, Map<String, String> flags, Bench.Options options,
            List<Map<String, Object>> records, List<String> notes) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(scenario).append("\n\n");
        StringBuilder shown = new StringBuilder();
        flags.forEach((k, v) -> {
            if (!k.isEmpty()) {
                shown.append(shown.length() == 0 ? "" : " ").append("--").append(k).append(' ').append(v);
            }
        });
        md.append("Flags: `").append(shown.length() == 0 ? "(defaults)" : shown).append("`; runs: ").append(options.runs)
                .append(" (each after a discarded warm-up pass of ").append(options.warmUpNanos / 1_000_000_000.0)
                .append(" s on the same server); Runnel on ").append(options.runnelContainer).append("; server JVM: `")
                .append(String.join(" ", options.serverJvm)).append("`\n\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        if (!notes.isEmpty()) {
            md.append('\n');
        }
        Map<String, List<Map<String, Object>>> byCase = new LinkedHashMap<>();
        for (Map<String, Object> r : records) {
            byCase.computeIfAbsent((String) r.get("case"), k -> new ArrayList<>()).add(r);
        }
        for (var e : byCase.entrySet()) {
            table(md, e.getKey(), e.getValue(), options.reference);
        }
        return md.toString();
    }

    /** {@code --reference} when given and present, else nchan, else the baseline, else none. */
    private static String reference(List<String> servers, String chosen) {
        if (chosen != null && servers.contains(chosen)) {
            return chosen;
        }
        return servers.contains("nchan") ? "nchan" : servers.contains("baseline") ? "baseline" : null;
    }

    private static void table(StringBuilder md, String name, List<Map<String, Object>> runs, String chosenReference) {
        md.append("#### ").append(name).append("\n\n");
        List<String> servers = new ArrayList<>(new LinkedHashSet<>(runs.stream().map(r -> (String) r.get("server")).toList()));
        String reference = reference(servers, chosenReference);
        List<String> compared = servers.stream().filter(s -> reference != null && !s.equals(reference)).toList();
        Set<String> metrics = new LinkedHashSet<>();
        for (Map<String, Object> r : runs) {
            r.keySet().stream().filter(k -> !META.contains(k)).forEach(metrics::add);
        }
        md.append("| metric |");
        servers.forEach(s -> md.append(' ').append(s).append(" median (min–max) |"));
        compared.forEach(s -> md.append(' ').append(s).append(" / ").append(reference).append(" |"));
        md.append("\n|---|");
        md.append("---|".repeat(servers.size() + compared.size())).append('\n');
        for (String metric : metrics) {
            md.append("| ").append(metric).append(" |");
            for (String s : servers) {
                md.append(' ').append(cell(values(runs, s, metric))).append(" |");
            }
            for (String s : compared) {
                md.append(' ').append(ratio(values(runs, s, metric), values(runs, reference, metric))).append(" |");
            }
            md.append('\n');
        }
        for (String server : servers) {
            List<String> verdicts = new ArrayList<>();
            List<String> loads = new ArrayList<>();
            for (Map<String, Object> r : runs) {
                if (server.equals(r.get("server"))) {
                    verdicts.add(Boolean.TRUE.equals(r.get("correct")) ? "ok"
                            : "FAILED" + (r.containsKey("first error") ? " (" + r.get("first error") + ")" : ""));
                    loads.add(String.valueOf(r.get("load average")));
                }
            }
            md.append("\n").append(server).append(": runs ").append(verdicts).append("; load average before each: ")
                    .append(loads);
        }
        md.append("\n\n");
        for (String server : servers) {
            runs.stream().filter(r -> server.equals(r.get("server")) && r.get("series") instanceof List).findFirst()
                    .ifPresent(r -> series(md, server, r));
        }
    }

    @SuppressWarnings("unchecked")
    private static void series(StringBuilder md, String server, Map<String, Object> run) {
        List<Map<String, Double>> rows = (List<Map<String, Double>>) run.get("series");
        md.append("Time series, ").append(server).append(", run ").append(run.get("run"))
                .append(" (behind and not yet written: events per subscriber):\n\n");
        md.append("| t s | accepted/s | delivered/s | behind | not yet written | fan-out backlog | p50 ms | p99 ms |"
                + " RSS MiB | heap MiB |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Double> r : rows) {
            md.append("| ").append(String.format(Locale.ROOT, "%.1f", r.get("t")));
            for (String c : List.of("accepted/s", "delivered/s", "behind", "notWritten", "fanOutBacklog", "p50", "p99")) {
                md.append(" | ").append(Double.isNaN(r.get(c)) ? "–" : number(r.get(c)));
            }
            for (String c : List.of("rss", "heap")) {
                md.append(" | ").append(Double.isNaN(r.get(c)) ? "–" : number(r.get(c) / Bench.MiB));
            }
            md.append(" |\n");
        }
        md.append('\n');
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
