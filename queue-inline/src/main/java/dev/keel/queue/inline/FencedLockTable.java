package dev.keel.queue.inline;

import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Fenced locks in memory. A name's entry is kept after release so that its token counter never goes
 * back; leases are measured on the backend's injected clock.
 */
final class FencedLockTable {
  private static final class Entry {
    long lastToken;
    String holder;
    long token;
    Instant expiresAt;

    boolean heldAt(Instant now) {
      return holder != null && expiresAt.isAfter(now);
    }
  }

  private final InstantSource clock;
  private final Map<String, Entry> entries = new HashMap<>();

  FencedLockTable(InstantSource clock) {
    this.clock = clock;
  }

  synchronized LockResult acquire(LockRequest r) {
    Instant now = clock.instant();
    Entry e = entries.computeIfAbsent(r.name(), n -> new Entry());
    if (e.heldAt(now) && !e.holder.equals(r.holder())) {
      return LockResult.notHeld(e.expiresAt);
    }
    if (!e.heldAt(now)) {
      e.lastToken++;
      e.token = e.lastToken;
      e.holder = r.holder();
    }
    e.expiresAt = now.plus(r.lease());
    return new LockResult(true, e.token, e.expiresAt);
  }

  synchronized LockResult renew(LockRequest r) {
    Instant now = clock.instant();
    Entry e = entries.get(r.name());
    if (e == null || !holds(e, r, now)) {
      return LockResult.notHeld(e != null && e.heldAt(now) ? e.expiresAt : null);
    }
    e.expiresAt = now.plus(r.lease());
    return new LockResult(true, e.token, e.expiresAt);
  }

  synchronized boolean release(LockRequest r) {
    Instant now = clock.instant();
    Entry e = entries.get(r.name());
    if (e == null || !holds(e, r, now)) {
      return false;
    }
    e.holder = null;
    e.expiresAt = null;
    return true;
  }

  private static boolean holds(Entry e, LockRequest r, Instant now) {
    return e.heldAt(now) && e.holder.equals(r.holder()) && e.token == r.token();
  }
}
