package dev.keel.outbox;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A sink for tests: records every publish, fails those matching {@link #failWhen}, and detects a
 * message being published by two relays at the same time.
 */
final class RecordingSink implements OutboxSink {
  final List<RelayedMessage> published = new CopyOnWriteArrayList<>();
  final Set<Object> inFlight = ConcurrentHashMap.newKeySet();
  final List<String> violations = new CopyOnWriteArrayList<>();
  volatile Predicate<RelayedMessage> failWhen = m -> false;

  @Override
  public SinkReceipt publish(RelayedMessage m) {
    if (!inFlight.add(m.id())) {
      violations.add("message " + m.id() + " published concurrently");
    }
    try {
      if (failWhen.test(m)) {
        throw new IllegalStateException("sink refuses " + m.key() + "#" + m.seq());
      }
      published.add(m);
      return SinkReceipt.of("ok " + m.seq());
    } finally {
      inFlight.remove(m.id());
    }
  }

  List<String> keysInOrder() {
    return published.stream().map(m -> m.key() + ":" + m.payload()).toList();
  }

  long count(java.util.UUID id) {
    return published.stream().filter(m -> m.id().equals(id)).count();
  }
}
