package dev.keel.bench;

import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.PingResult;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import dev.keel.queue.spi.StatsRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counts the round trips the engine makes per SPI method, the items they carry and the time they
 * take, to say where a workload's time goes ({@code --profile}).
 */
final class CountingBackend extends ForwardingQueueBackend {
  private record Counter(LongAdder calls, LongAdder items, LongAdder nanos, LongAccumulator max) {
    Counter() {
      this(new LongAdder(), new LongAdder(), new LongAdder(), new LongAccumulator(Math::max, 0));
    }
  }

  private final QueueBackend d;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  CountingBackend(QueueBackend delegate) {
    this.d = delegate;
  }

  private <T> T count(String op, int items, Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      return call.get();
    } finally {
      Counter c = counters.computeIfAbsent(op, k -> new Counter());
      c.calls.increment();
      c.items.add(items);
      long took = System.nanoTime() - t0;
      c.nanos.add(took);
      c.max.accumulate(took);
    }
  }

  /**
   * One line per method: calls, items per call, mean and longest milliseconds per call (a longest
   * call far above the mean is a stall, not the steady cost).
   */
  String report(long jobs) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Counter> e : new TreeMap<>(counters).entrySet()) {
      long calls = e.getValue().calls.sum();
      sb.append(
          String.format(
              "PROFILE op=%s calls=%d per_job=%.3f items_per_call=%.1f ms_per_call=%.3f"
                  + " max_ms=%.1f%n",
              e.getKey(),
              calls,
              calls / (double) jobs,
              e.getValue().items.sum() / (double) calls,
              e.getValue().nanos.sum() / 1e6 / calls,
              e.getValue().max.get() / 1e6));
    }
    return sb.toString();
  }

  void reset() {
    counters.clear();
  }

  @Override
  protected QueueBackend delegate() {
    return d;
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest r) {
    return count("enqueue", r.jobs().size(), () -> d.enqueue(r));
  }

  @Override
  public ClaimResponse claim(ClaimRequest r) {
    long t0 = System.nanoTime();
    ClaimResponse resp = d.claim(r);
    Counter c =
        counters.computeIfAbsent(
            resp.jobs().isEmpty() ? "claim(empty)" : "claim", k -> new Counter());
    c.calls.increment();
    c.items.add(resp.jobs().size());
    long took = System.nanoTime() - t0;
    c.nanos.add(took);
    c.max.accumulate(took);
    return resp;
  }

  @Override
  public FencedResult heartbeat(HeartbeatRequest r) {
    return count("heartbeat", r.leases().size(), () -> d.heartbeat(r));
  }

  @Override
  public FencedResult finish(FinishRequest r) {
    return count("finish", r.finishes().size(), () -> d.finish(r));
  }

  @Override
  public FencedResult progress(ProgressRequest r) {
    return count("progress", r.updates().size(), () -> d.progress(r));
  }

  @Override
  public JobPage list(JobQuery q) {
    return count("list", 1, () -> d.list(q));
  }

  @Override
  public BackendStats stats(StatsRequest r) {
    return count("stats", 1, () -> d.stats(r));
  }

  @Override
  public RescueResult rescue(RescueRequest r) {
    return count("rescue", 1, () -> d.rescue(r));
  }

  @Override
  public PruneResult prune(PruneRequest r) {
    return count("prune", 1, () -> d.prune(r));
  }

  @Override
  public boolean lockMaintenance(MaintenanceLockRequest r) {
    return count("lockMaintenance", 1, () -> d.lockMaintenance(r));
  }

  @Override
  public PingResult ping() {
    return count("ping", 1, d::ping);
  }
}
