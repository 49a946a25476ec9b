package dev.keel.outbox.internal;

import dev.keel.outbox.RelayStats;
import java.util.concurrent.atomic.AtomicLong;

/** Running totals of one relay. */
public final class RelayCounters {
  public final AtomicLong claimed = new AtomicLong();
  public final AtomicLong delivered = new AtomicLong();
  public final AtomicLong retried = new AtomicLong();
  public final AtomicLong parked = new AtomicLong();
  public final AtomicLong leaseLost = new AtomicLong();
  public final AtomicLong released = new AtomicLong();
  public final AtomicLong cleaned = new AtomicLong();

  public RelayStats snapshot() {
    return new RelayStats(
        claimed.get(),
        delivered.get(),
        retried.get(),
        parked.get(),
        leaseLost.get(),
        released.get(),
        cleaned.get());
  }
}
