package dev.keel.ops;

import dev.keel.queue.JobState;
import dev.keel.queue.spi.BackendStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/** The built-in alert rules. */
public final class AlertRules {
  private AlertRules() {}

  /**
   * Failure rate 20% or more over 15 minutes with at least 10 finished jobs per type; oldest due
   * job waiting over 5 minutes; any stuck RUNNING job; backend unreachable.
   */
  public static List<AlertRule> defaults() {
    return List.of(
        failureRate(Duration.ofMinutes(15), 0.2, 10),
        oldestDue(Duration.ofMinutes(5)),
        stuck(0),
        backendUnreachable());
  }

  /**
   * Rule {@code failure-rate}, one alert per job type: of the jobs of a type that finished within
   * {@code window} (succeeded or failed for good), at least {@code ratio} failed, and at least
   * {@code minJobs} finished (so one failure of a rare type is no alarm). Critical at twice the
   * ratio or more.
   */
  public static AlertRule failureRate(Duration window, double ratio, int minJobs) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "failure-rate window must be between 1 ms and 1 day, was " + window);
    }
    if (!(ratio > 0 && ratio <= 1)) {
      throw new IllegalArgumentException(
          "failure-rate ratio must be above 0 and at most 1, was " + ratio);
    }
    if (minJobs < 1) {
      throw new IllegalArgumentException("failure-rate minJobs must be at least 1, was " + minJobs);
    }
    return new Rule(
        "failure-rate",
        ctx -> {
          BackendStats s = ctx.stats(window);
          List<AlertCondition> out = new ArrayList<>();
          for (Map.Entry<String, Map<JobState, Long>> e :
              new java.util.TreeMap<>(s.finishedInWindowByType()).entrySet()) {
            long failed = e.getValue().getOrDefault(JobState.FAILED, 0L);
            long ok = e.getValue().getOrDefault(JobState.SUCCEEDED, 0L);
            long total = failed + ok;
            if (total >= minJobs && failed >= ratio * total) {
              double r = (double) failed / total;
              out.add(
                  new AlertCondition(
                      e.getKey(),
                      null,
                      r >= Math.min(1.0, 2 * ratio) ? "critical" : "warning",
                      String.format(
                          Locale.ROOT,
                          "%s: %.0f%% of %d finished jobs failed in the last %s (threshold"
                              + " %.0f%%)",
                          e.getKey(),
                          r * 100,
                          total,
                          human(window),
                          ratio * 100)));
            }
          }
          return out;
        });
  }

  /** Rule {@code oldest-due}: the oldest due PENDING job has waited longer than {@code max}. */
  public static AlertRule oldestDue(Duration max) {
    Objects.requireNonNull(max, "max");
    if (max.isNegative()) {
      throw new IllegalArgumentException("oldest-due max must not be negative, was " + max);
    }
    return new Rule(
        "oldest-due",
        ctx -> {
          BackendStats s = ctx.stats(Duration.ofHours(1));
          if (s.oldestDueAge().isPresent() && s.oldestDueAge().get().compareTo(max) > 0) {
            return List.of(
                new AlertCondition(
                    "backlog",
                    null,
                    s.oldestDueAge().get().compareTo(max.multipliedBy(4)) > 0
                        ? "critical"
                        : "warning",
                    "the oldest due job has waited "
                        + human(s.oldestDueAge().get())
                        + " (threshold "
                        + human(max)
                        + "): workers are not keeping up or not running"));
          }
          return List.of();
        });
  }

  /** Rule {@code stuck}: more than {@code max} RUNNING jobs have an expired lease. */
  public static AlertRule stuck(long max) {
    if (max < 0) {
      throw new IllegalArgumentException("stuck max must not be negative, was " + max);
    }
    return new Rule(
        "stuck",
        ctx -> {
          long n = ctx.stats(Duration.ofHours(1)).stuck();
          return n > max
              ? List.of(
                  new AlertCondition(
                      "running",
                      null,
                      "critical",
                      n
                          + " RUNNING jobs have an expired lease (threshold "
                          + max
                          + "): their workers died; maintenance rescues them when a worker runs"))
              : List.of();
        });
  }

  /**
   * Rule {@code backend-unreachable}: the backend did not answer. It cannot be stored while the
   * backend is down, so the sink hears of it at once, and the alert is written (opened and
   * resolved, with the outage's times) when the backend answers again.
   */
  public static AlertRule backendUnreachable() {
    return BackendUnreachable.INSTANCE;
  }

  /**
   * Rule {@code outbox-failed}: more than {@code max} outbox messages are parked as FAILED. Pass
   * {@code outbox::countFailed}.
   */
  public static AlertRule outboxFailed(LongSupplier parkedMessages, long max) {
    Objects.requireNonNull(parkedMessages, "parkedMessages");
    if (max < 0) {
      throw new IllegalArgumentException("outbox-failed max must not be negative, was " + max);
    }
    return new Rule(
        "outbox-failed",
        ctx -> {
          long n = parkedMessages.getAsLong();
          return n > max
              ? List.of(
                  new AlertCondition(
                      "outbox",
                      null,
                      "warning",
                      n
                          + " outbox messages are parked as FAILED (threshold "
                          + max
                          + "): fix the target, then re-drive them"))
              : List.of();
        });
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 1) {
      return d.toMillis() + "ms";
    }
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return (s / 60) + "m";
    }
    return (s / 3600) + "h";
  }

  private record Rule(
      String name, java.util.function.Function<AlertContext, List<AlertCondition>> f)
      implements AlertRule {
    @Override
    public List<AlertCondition> evaluate(AlertContext context) {
      return f.apply(context);
    }
  }

  /** Evaluated by the engine itself: it is about the backend answering at all. */
  static final class BackendUnreachable implements AlertRule {
    static final BackendUnreachable INSTANCE = new BackendUnreachable();

    @Override
    public String name() {
      return "backend-unreachable";
    }

    @Override
    public List<AlertCondition> evaluate(AlertContext context) {
      return List.of();
    }
  }
}
