package dev.keel.queue.internal;

import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then a 12-bit counter that
 * keeps ids from one generator strictly increasing within a millisecond, then 62 random bits.
 * Ordering ids orders jobs by creation, which list paging and claim tie-breaks rely on.
 *
 * <p>The random bits come from {@link ThreadLocalRandom}: they make ids from different processes
 * distinct, they are not a secret (fencing uses the lease token, drawn by the backend), and a
 * {@code SecureRandom} draw per job was a measurable share of a bulk enqueue.
 */
public final class JobIds {
  private final InstantSource clock;
  private final ReentrantLock lock = new ReentrantLock();
  private long lastMillis = -1;
  private int counter;

  public JobIds(InstantSource clock) {
    this.clock = clock;
  }

  public UUID next() {
    long millis;
    int seq;
    lock.lock();
    try {
      millis = Math.max(clock.millis(), lastMillis);
      if (millis == lastMillis) {
        counter++;
        if (counter > 0xFFF) {
          // 4096 ids in one millisecond: borrow the next millisecond rather than lose ordering.
          millis++;
          counter = 0;
        }
      } else {
        counter =
            ThreadLocalRandom.current()
                .nextInt(0x400); // random start leaves headroom for the counter
      }
      lastMillis = millis;
      seq = counter;
    } finally {
      lock.unlock();
    }
    long msb = (millis << 16) | (0x7L << 12) | seq;
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
