package dev.keel.queue.spi;

import dev.keel.queue.Lease;
import java.time.Duration;
import java.util.Objects;

/**
 * Suspend a RUNNING job, fenced by its lease, as {@link Finish.Snooze} does (PENDING, runAt =
 * backend now + delay, the attempt given back, lease cleared), and remember that it is suspended
 * and for which signal ({@code awaitSignal}, or "" for none). In the same atomic step: if a signal
 * named {@code awaitSignal}, or any control signal that wakes any suspend ({@link
 * SignalRequest#wakesAnySuspend}: not a children signal), is already stored, runAt is backend now
 * instead, so a signal that arrived while the job was running is not missed.
 */
public record SuspendRequest(Lease lease, Duration delay, String awaitSignal) {
  public SuspendRequest {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative");
    }
    awaitSignal = Objects.requireNonNullElse(awaitSignal, "");
  }
}
