package dev.keel.queue.internal;

import java.time.Duration;
import java.time.Instant;

/** Fire times {@code anchor + k × period}, k ≥ 0. */
final class IntervalFireTimes implements FireTimes {
  private final long periodMillis;
  private final Instant anchor;

  IntervalFireTimes(Duration period, Instant anchor) {
    this.periodMillis = period.toMillis();
    this.anchor = anchor;
  }

  @Override
  public Instant nextAfter(Instant t) {
    if (t.isBefore(anchor)) {
      return anchor;
    }
    return anchor.plusMillis((periodsUpTo(t) + 1) * periodMillis);
  }

  @Override
  public Instant latestAtOrBefore(Instant t) {
    if (t.isBefore(anchor)) {
      return null;
    }
    return anchor.plusMillis(periodsUpTo(t) * periodMillis);
  }

  /** Whole periods from the anchor to {@code t} (not before it), rounded down. */
  private long periodsUpTo(Instant t) {
    // Truncating to milliseconds rounds down for a t at or after the anchor: fire times are whole
    // milliseconds from the anchor, so a t between two of them counts the earlier one.
    return Duration.between(anchor, t).toMillis() / periodMillis;
  }
}
