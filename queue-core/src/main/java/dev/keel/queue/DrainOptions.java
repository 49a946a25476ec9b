package dev.keel.queue;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Keel#drain} runs: up to {@code maxJobs} due jobs within {@code budget}, in the
 * caller's thread, optionally only some types, queues or one tenant. The budget is checked between
 * jobs; a running handler is not cut short by it (its own timeout still applies).
 */
public record DrainOptions(
    int maxJobs,
    Duration budget,
    Set<String> types,
    Set<String> queues,
    String tenant,
    Map<String, Integer> maxPerType) {

  public static final int MAX_JOBS_CAP = 1_000_000;

  public DrainOptions {
    if (maxJobs < 1 || maxJobs > MAX_JOBS_CAP) {
      throw new InvalidJobException(
          "drain.maxJobs", "must be between 1 and " + MAX_JOBS_CAP + ", was " + maxJobs);
    }
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative() || budget.isZero()) {
      throw new InvalidJobException("drain.budget", "must be positive, was " + budget);
    }
    types = types == null ? Set.of() : Set.copyOf(types);
    queues = queues == null ? Set.of() : Set.copyOf(queues);
    maxPerType = maxPerType == null ? Map.of() : Map.copyOf(maxPerType);
    for (Map.Entry<String, Integer> e : maxPerType.entrySet()) {
      int v = e.getValue();
      if (v < 0 || v > MAX_JOBS_CAP) {
        throw new InvalidJobException(
            "drain.maxPerType." + e.getKey(),
            "must be between 0 and " + MAX_JOBS_CAP + ", was " + v);
      }
    }
  }

  /** Up to 10,000 jobs of any type, queue and tenant, within 60 seconds. */
  public static DrainOptions defaults() {
    return new DrainOptions(10_000, Duration.ofSeconds(60), Set.of(), Set.of(), null, Map.of());
  }

  public DrainOptions withMaxJobs(int maxJobs) {
    return new DrainOptions(maxJobs, budget, types, queues, tenant, maxPerType);
  }

  public DrainOptions withBudget(Duration budget) {
    return new DrainOptions(maxJobs, budget, types, queues, tenant, maxPerType);
  }

  public DrainOptions withTypes(String... types) {
    return new DrainOptions(maxJobs, budget, Set.of(types), queues, tenant, maxPerType);
  }

  public DrainOptions withQueues(String... queues) {
    return new DrainOptions(maxJobs, budget, types, Set.of(queues), tenant, maxPerType);
  }

  public DrainOptions withTenant(String tenant) {
    return new DrainOptions(maxJobs, budget, types, queues, tenant, maxPerType);
  }

  /**
   * Run at most {@code max} jobs of {@code type} in this drain (other types are unaffected). The
   * type must have a handler; the value must be between 0 and {@link #MAX_JOBS_CAP}.
   */
  public DrainOptions withMaxPerType(String type, int max) {
    Map<String, Integer> m = new java.util.HashMap<>(maxPerType);
    if (type == null || m.put(type, max) != null) {
      throw new InvalidJobException(
          "drain.maxPerType", "type must be non-null and given once, was " + type);
    }
    return new DrainOptions(maxJobs, budget, types, queues, tenant, m);
  }
}
