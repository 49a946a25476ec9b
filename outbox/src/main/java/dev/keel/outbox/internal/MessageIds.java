package dev.keel.outbox.internal;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.UUID;

/**
 * Time-ordered message ids (UUID version 7: 48 bits of Unix milliseconds, then random bits), so ids
 * of one node sort roughly by creation time and index inserts stay local.
 */
public final class MessageIds {
  private final InstantSource clock;
  private final SecureRandom random = new SecureRandom();

  public MessageIds(InstantSource clock) {
    this.clock = clock;
  }

  public UUID next() {
    long millis = clock.millis();
    long randA = random.nextInt(1 << 12);
    long msb = (millis << 16) | 0x7000L | randA;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
