package dev.keel.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the standard workloads against one backend and prints one grep-able line per workload:
 * {@code RESULT ...} for burn-down, {@code LATENCY ...} for latency, {@code STEADY ...}, {@code
 * HISTORY ...}. Each workload gets a fresh namespace (schema, key prefix or instance) and checks
 * its own result: exactly N succeeded, none failed, none left.
 */
public final class Bench {

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Locale.setDefault(Locale.ROOT);
    Workloads w = new Workloads(o);
    boolean ok = true;
    if (o.warmup) {
      ok &= w.warmUp();
    }
    for (String workload : o.workloads) {
      ok &=
          switch (workload) {
            case "burn-down" -> w.burnDown();
            case "latency" -> w.latency();
            case "steady" -> w.steady();
            case "history" -> w.history();
            case "recurring" -> w.recurring();
            case "concurrency" -> w.concurrency();
            case "links" -> w.links();
            case "steps" -> w.steps();
            default -> throw new IllegalArgumentException("unknown workload " + workload);
          };
    }
    System.exit(ok ? 0 : 1);
  }

  /** Command-line options. */
  static final class Options {
    String backend;
    int jobs = 20_000;
    int workers = 8;
    Set<String> workloads = new LinkedHashSet<>(List.of("burn-down", "latency"));
    int rate = 500;
    int steadyRate = 50_000;
    int seconds = 10;
    int history = 1_000_000;
    int batch = 1_000;

    /** Recurring schedules stored beside the workload (and the count for "recurring"). */
    int schedules;

    boolean profile;

    /** --metrics: Keel's Micrometer meters bound to a registry (to measure their overhead). */
    boolean metrics;

    /** --tracing: OpenTelemetry spans for every enqueue and attempt, exported to nowhere. */
    boolean tracing;

    /** Run one untimed burn-down first so the JIT has compiled the hot paths (on by default). */
    boolean warmup = true;

    /** Jobs in the warm-up pass: enough for the JIT to reach steady state. */
    int warmupJobs = 100_000;

    /** Workers run maintenance (rescue, prune, statistics) as they would in production. */
    boolean maintenance = true;

    /** Worker prefetch; -1 keeps the library's default. */
    int prefetch = -1;

    static Options parse(String[] args) {
      Options o = new Options();
      List<String> positional = new ArrayList<>();
      for (String a : args) {
        if (a.startsWith("--workloads=")) {
          o.workloads = new LinkedHashSet<>(Arrays.asList(a.substring(12).split(",")));
        } else if (a.startsWith("--rate=")) {
          o.rate = Integer.parseInt(a.substring(7));
        } else if (a.startsWith("--steady-rate=")) {
          o.steadyRate = Integer.parseInt(a.substring(14));
        } else if (a.startsWith("--seconds=")) {
          o.seconds = Integer.parseInt(a.substring(10));
        } else if (a.startsWith("--history=")) {
          o.history = Integer.parseInt(a.substring(10));
        } else if (a.startsWith("--prefetch=")) {
          o.prefetch = Integer.parseInt(a.substring(11));
        } else if (a.startsWith("--warmup-jobs=")) {
          o.warmupJobs = Integer.parseInt(a.substring(14));
        } else if (a.equals("--no-maintenance")) {
          o.maintenance = false;
        } else if (a.equals("--no-warmup")) {
          o.warmup = false;
        } else if (a.equals("--metrics")) {
          o.metrics = true;
        } else if (a.equals("--tracing")) {
          o.tracing = true;
        } else if (a.equals("--profile")) {
          o.profile = true;
        } else if (a.startsWith("--schedules=")) {
          o.schedules = Integer.parseInt(a.substring(12));
        } else if (a.startsWith("--batch=")) {
          o.batch = Integer.parseInt(a.substring(8));
        } else if (a.startsWith("--")) {
          throw new IllegalArgumentException("unknown option " + a);
        } else {
          positional.add(a);
        }
      }
      if (positional.isEmpty()) {
        throw new IllegalArgumentException(
            "usage: bench/run BACKEND [N [W]] [--workloads=burn-down,latency,steady,history,recurring,concurrency,links,steps] [--schedules=K]");
      }
      o.backend = positional.get(0);
      if (!Set.of("inline", "postgres", "redis").contains(o.backend)) {
        throw new IllegalArgumentException(
            "BACKEND must be inline, postgres or redis, was " + o.backend);
      }
      if (positional.size() > 1) {
        o.jobs = Integer.parseInt(positional.get(1));
      }
      if (positional.size() > 2) {
        o.workers = Integer.parseInt(positional.get(2));
      }
      if (o.jobs < 1 || o.workers < 1 || o.rate < 1 || o.seconds < 1) {
        throw new IllegalArgumentException("N, W, rate and seconds must be positive");
      }
      return o;
    }
  }
}
