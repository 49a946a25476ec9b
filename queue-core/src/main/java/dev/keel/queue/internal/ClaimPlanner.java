package dev.keel.queue.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Splits one claim round of a worker's lane into per-type claims so that one busy type cannot
 * starve the others:
 *
 * <ol>
 *   <li>types at their per-worker concurrency limit are not claimed at all;
 *   <li>priority classes are claimed in order (lower class first);
 *   <li>within a class, a type with a quota gets at most that many slots of the round while other
 *       types of the class are claimed in the same round;
 *   <li>a final "fill" claim gives whatever is left to any type still under its limits, so quotas
 *       never leave capacity idle when only the busy type has work.
 * </ol>
 *
 * <p>With no limits configured this is a single claim, as fast as before.
 */
final class ClaimPlanner {

  /** Claims up to {@code limit} jobs of {@code types}; returns how many it got. */
  @FunctionalInterface
  interface Claim {
    int claim(Set<String> types, int limit);
  }

  private final Set<String> include;
  private final Map<String, Integer> typeConcurrency;
  private final Map<String, Integer> typeQuota;
  private final Map<String, Integer> priorityClass;
  private final boolean simple;

  ClaimPlanner(
      Set<String> include,
      Map<String, Integer> typeConcurrency,
      Map<String, Integer> typeQuota,
      Map<String, Integer> priorityClass) {
    this.include = Set.copyOf(include);
    this.typeConcurrency = Map.copyOf(typeConcurrency);
    this.typeQuota = Map.copyOf(typeQuota);
    this.priorityClass = Map.copyOf(priorityClass);
    this.simple = typeConcurrency.isEmpty() && typeQuota.isEmpty() && priorityClass.isEmpty();
  }

  /** Whether no per-type limit, quota or priority class applies: every round is one claim. */
  boolean unlimited() {
    return simple;
  }

  /**
   * Runs the claims of one round.
   *
   * @param free slots to fill
   * @param activeByType this worker's claimed-but-unfinished jobs per type
   * @return jobs claimed in all
   */
  int run(int free, Map<String, Integer> activeByType, Claim claim) {
    if (include.isEmpty() || free <= 0) {
      return 0;
    }
    if (simple) {
      return claim.claim(include, free);
    }
    Map<String, Integer> room = new TreeMap<>();
    Set<String> open = new HashSet<>();
    for (String t : include) {
      Integer max = typeConcurrency.get(t);
      int r = max == null ? Integer.MAX_VALUE : max - activeByType.getOrDefault(t, 0);
      if (r > 0) {
        room.put(t, r);
        open.add(t);
      }
    }
    int got = 0;
    Set<String> cutByQuota = new HashSet<>();
    TreeMap<Integer, List<String>> classes = new TreeMap<>();
    for (String t : open) {
      classes.computeIfAbsent(priorityClass.getOrDefault(t, 0), k -> new ArrayList<>()).add(t);
    }
    for (List<String> members : classes.values()) {
      Set<String> shared = new HashSet<>();
      for (String t : members) {
        Integer quota = typeQuota.get(t);
        Integer max = typeConcurrency.get(t);
        if (quota == null && max == null) {
          shared.add(t);
          continue;
        }
        int limit =
            Math.min(free - got, Math.min(quota == null ? Integer.MAX_VALUE : quota, room.get(t)));
        if (limit > 0) {
          int n = claim.claim(Set.of(t), limit);
          got += n;
          room.put(t, room.get(t) - n);
          if (quota != null && n == quota && room.get(t) > 0) {
            cutByQuota.add(t);
          }
        }
      }
      if (!shared.isEmpty() && free - got > 0) {
        got += claim.claim(shared, free - got);
      }
      if (free - got <= 0) {
        return got;
      }
    }
    // Fill: quotas bind only while other types wait; capacity nobody else wanted goes to the
    // types the quota cut short, within their concurrency room.
    for (String t : cutByQuota) {
      int limit = Math.min(free - got, room.get(t));
      if (limit > 0) {
        got += claim.claim(Set.of(t), limit);
      }
    }
    return got;
  }
}
