package dev.keel.bench;

import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.QueueBackend;

/**
 * A fresh, isolated namespace on one backend for one workload: a new inline instance, a new
 * PostgreSQL schema, or a new Redis key prefix — dropped again on close.
 */
final class BenchBackend implements AutoCloseable {
  private final QueueBackend backend;
  private final Runnable drop;

  private BenchBackend(QueueBackend backend, Runnable drop) {
    this.backend = backend;
    this.drop = drop;
  }

  static BenchBackend fresh(String kind, String workload) {
    return switch (kind) {
      case "inline" -> new BenchBackend(InlineBackend.create(), () -> {});
      default -> throw new IllegalArgumentException("backend " + kind + " is not wired into the benchmark yet");
    };
  }

  QueueBackend backend() {
    return backend;
  }

  @Override
  public void close() {
    drop.run();
  }
}
