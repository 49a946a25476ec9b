package dev.keel.spring;

import dev.keel.queue.Worker;

/**
 * Adjusts the {@link Worker.Builder} of the application's worker after the {@code keel.worker.*}
 * properties were applied: per-type concurrency, quotas, an executor.
 */
@FunctionalInterface
public interface KeelWorkerCustomizer {
  void customize(Worker.Builder builder);
}
