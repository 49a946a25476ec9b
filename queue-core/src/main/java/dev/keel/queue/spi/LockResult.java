package dev.keel.queue.spi;

import java.time.Instant;

/**
 * The outcome of a lock call.
 *
 * @param held whether the requesting holder holds the lock after the call (false after a release)
 * @param token the holder's fencing token when {@code held}: per lock name, every acquisition gets
 *     a token greater than every earlier one, also across releases and expiries, forever; 0 when
 *     not held
 * @param expiresAt backend time at which the lease ends when {@code held}; when not held, the end
 *     of another holder's lease, or null when the lock is free
 */
public record LockResult(boolean held, long token, Instant expiresAt) {
  public static LockResult notHeld(Instant otherExpiresAt) {
    return new LockResult(false, 0, otherExpiresAt);
  }
}
