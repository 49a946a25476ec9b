package dev.keel.queue.inline;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

/**
 * Where a PENDING job sits in its queue's claim order: priority (lower first), then runAt, then id.
 * Ids are time-ordered UUIDv7, whose signed {@link UUID#compareTo} order matches creation order.
 */
record PendingKey(int priority, Instant runAt, UUID id) implements Comparable<PendingKey> {

  private static final Comparator<PendingKey> ORDER =
      Comparator.comparingInt(PendingKey::priority)
          .thenComparing(PendingKey::runAt)
          .thenComparing(PendingKey::id);

  private static final UUID LOWEST_ID = new UUID(Long.MIN_VALUE, Long.MIN_VALUE);

  /** A key sorting before every real key of {@code priority}, to seek within a queue. */
  static PendingKey firstOf(int priority) {
    return new PendingKey(priority, Instant.MIN, LOWEST_ID);
  }

  @Override
  public int compareTo(PendingKey other) {
    return ORDER.compare(this, other);
  }
}
