package dev.keel.queue.inline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * PENDING jobs per queue, each queue a concurrent sorted set in claim order. Membership is changed
 * only while holding the job's {@link JobRecord} monitor, so a key found here under that monitor
 * always belongs to a PENDING job.
 */
final class PendingIndex {
  private final Map<String, NavigableSet<PendingKey>> byQueue = new ConcurrentHashMap<>();

  void add(String queue, PendingKey key) {
    byQueue.computeIfAbsent(queue, q -> new ConcurrentSkipListSet<>()).add(key);
  }

  void remove(String queue, PendingKey key) {
    NavigableSet<PendingKey> set = byQueue.get(queue);
    if (set != null) {
      set.remove(key);
    }
  }

  /** The queues to claim from: the named ones that exist, or every queue when none is named. */
  Collection<String> queues(Set<String> names) {
    if (names.isEmpty()) {
      return new ArrayList<>(byQueue.keySet());
    }
    List<String> present = new ArrayList<>();
    for (String name : names) {
      if (byQueue.containsKey(name)) {
        present.add(name);
      }
    }
    return present;
  }

  /**
   * Up to {@code max} keys of {@code queue} that are due at {@code now} and {@code accept}ed, in
   * claim order. A key that is not due yet ends its priority (later keys of that priority are due
   * even later), so the scan seeks to the next priority instead of walking future jobs.
   */
  List<PendingKey> dueKeys(String queue, Instant now, Predicate<PendingKey> accept, int max) {
    List<PendingKey> found = new ArrayList<>();
    NavigableSet<PendingKey> set = byQueue.get(queue);
    if (set == null) {
      return found;
    }
    Iterator<PendingKey> it = set.iterator();
    while (found.size() < max && it.hasNext()) {
      PendingKey key = it.next();
      if (key.runAt().isAfter(now)) {
        if (key.priority() == Integer.MAX_VALUE) {
          break;
        }
        it = set.tailSet(PendingKey.firstOf(key.priority() + 1), true).iterator();
      } else if (accept.test(key)) {
        found.add(key);
      }
    }
    return found;
  }
}
