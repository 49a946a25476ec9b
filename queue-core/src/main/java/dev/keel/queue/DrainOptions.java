package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Keel#drain} runs: up to {@code maxJobs} due jobs within {@code budget}, in the
 * caller's thread, optionally only some types, queues or one tenant. The budget is checked between
 * jobs; a running handler is not cut short by it (its own timeout still applies).
 */
public record DrainOptions(
    int maxJobs, Duration budget, Set<String> types, Set<String> queues, String tenant) {

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
  }

  /** Up to 10,000 jobs of any type, queue and tenant, within 60 seconds. */
  public static DrainOptions defaults() {
    return new DrainOptions(10_000, Duration.ofSeconds(60), Set.of(), Set.of(), null);
  }

  public DrainOptions withMaxJobs(int maxJobs) {
    return new DrainOptions(maxJobs, budget, types, queues, tenant);
  }

  public DrainOptions withBudget(Duration budget) {
    return new DrainOptions(maxJobs, budget, types, queues, tenant);
  }

  public DrainOptions withTypes(String... types) {
    return new DrainOptions(maxJobs, budget, Set.of(types), queues, tenant);
  }

  public DrainOptions withQueues(String... queues) {
    return new DrainOptions(maxJobs, budget, types, Set.of(queues), tenant);
  }

  public DrainOptions withTenant(String tenant) {
    return new DrainOptions(maxJobs, budget, types, queues, tenant);
  }
}
