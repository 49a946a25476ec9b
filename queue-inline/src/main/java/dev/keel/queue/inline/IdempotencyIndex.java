package dev.keel.queue.inline;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Which job last took each (tenant, key), and striped locks that make "look up the holder, then
 * insert" atomic per key without one global lock. A batch locks all its keys' stripes in ascending
 * order, so two batches never wait on each other in a cycle.
 *
 * <p>Lock order across the backend: a stripe lock may be held while taking a job's monitor, never
 * the other way round.
 */
final class IdempotencyIndex {
  private static final int STRIPES = 64;

  /** One idempotency key within its tenant. */
  record Key(String tenant, String key) {}

  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  private final Map<Key, UUID> holders = new ConcurrentHashMap<>();

  IdempotencyIndex() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** Runs {@code action} holding the locks of every key in {@code keys}. */
  <T> T withLocks(Collection<Key> keys, Supplier<T> action) {
    int[] stripes = keys.stream().mapToInt(IdempotencyIndex::stripe).distinct().sorted().toArray();
    int locked = 0;
    try {
      for (int stripe : stripes) {
        locks[stripe].lock();
        locked++;
      }
      return action.get();
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        locks[stripes[i]].unlock();
      }
    }
  }

  /** The id of the job that last took {@code key}, if any; it may no longer hold it. */
  UUID lastHolder(Key key) {
    return holders.get(key);
  }

  /** Records that {@code jobId} took {@code key}; call with the key's lock held. */
  void take(Key key, UUID jobId) {
    holders.put(key, jobId);
  }

  /** Forgets {@code key} if {@code jobId} is still its holder (the job was deleted). */
  void forget(Key key, UUID jobId) {
    holders.remove(key, jobId);
  }

  private static int stripe(Key key) {
    return Math.floorMod(key.hashCode(), STRIPES);
  }
}
