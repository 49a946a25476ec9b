package dev.keel.micrometer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Meters by three string keys (queue, type, tenant), looked up without allocating: three hash
 * lookups on strings whose hash codes are cached. Entries are never removed; their number is
 * bounded by the tags' cardinality.
 */
final class MeterIndex<V> {
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, V>>>
      map = new ConcurrentHashMap<>();

  /** The entry, or null. */
  V get(String a, String b, String c) {
    ConcurrentHashMap<String, ConcurrentHashMap<String, V>> second = map.get(a);
    if (second == null) {
      return null;
    }
    ConcurrentHashMap<String, V> third = second.get(b);
    return third == null ? null : third.get(c);
  }

  /** The entry, created by {@code factory} if absent (at most one wins a race). */
  V computeIfAbsent(String a, String b, String c, Supplier<V> factory) {
    return map.computeIfAbsent(a, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(b, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(c, k -> factory.get());
  }

  void forEach(Consumer<V> action) {
    map.values()
        .forEach(second -> second.values().forEach(third -> third.values().forEach(action)));
  }
}
