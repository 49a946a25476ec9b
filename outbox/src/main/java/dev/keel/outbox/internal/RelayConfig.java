package dev.keel.outbox.internal;

import dev.keel.queue.RetryPolicy;
import java.time.Duration;

/** A relay's settings, validated by {@code OutboxRelay.Builder}. */
public record RelayConfig(
    String id,
    int batchSize,
    Duration leaseDuration,
    int maxAttempts,
    RetryPolicy retryPolicy,
    Duration pollInterval,
    boolean listen,
    Duration retention,
    Duration cleanupInterval,
    int cleanupBatchSize,
    int cleanupMaxBatches,
    int publishConcurrency,
    Duration shutdownGrace) {

  /** The configuration as one log line. */
  public String describe() {
    return "id="
        + id
        + " batchSize="
        + batchSize
        + " lease="
        + leaseDuration
        + " maxAttempts="
        + maxAttempts
        + " poll="
        + pollInterval
        + " listen="
        + listen
        + " retention="
        + retention
        + " cleanupEvery="
        + cleanupInterval
        + " cleanupBatch="
        + cleanupBatchSize
        + "x"
        + cleanupMaxBatches
        + " publishConcurrency="
        + publishConcurrency
        + " shutdownGrace="
        + shutdownGrace;
  }
}
