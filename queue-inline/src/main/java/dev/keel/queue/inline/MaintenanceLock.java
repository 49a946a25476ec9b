package dev.keel.queue.inline;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One backend-wide named lock (the maintenance lock, the console's "ops" lock): one owner at a
 * time, until it unlocks or its ttl passes.
 */
final class MaintenanceLock {
  private record Holder(String owner, Instant expiresAt) {}

  private final AtomicReference<Holder> holder = new AtomicReference<>();

  boolean lock(String owner, Duration ttl, Instant now) {
    while (true) {
      Holder current = holder.get();
      boolean heldByOther =
          current != null && !current.owner().equals(owner) && current.expiresAt().isAfter(now);
      if (heldByOther) {
        return false;
      }
      if (holder.compareAndSet(current, new Holder(owner, now.plus(ttl)))) {
        return true;
      }
    }
  }

  void unlock(String owner) {
    Holder current = holder.get();
    if (current != null && current.owner().equals(owner)) {
      holder.compareAndSet(current, null);
    }
  }
}
