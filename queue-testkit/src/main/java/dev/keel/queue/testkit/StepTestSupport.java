package dev.keel.queue.testkit;

import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.steps.StepReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What the durable-step suites share: a node with one job type, run counters, waits. */
abstract class StepTestSupport extends CoordinationTestSupport {
  /** The payload of the suites' jobs. */
  public record Order(String id) {}

  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  final List<String> log = new CopyOnWriteArrayList<>();

  int runs(String name) {
    return runs.computeIfAbsent(name, k -> new AtomicInteger()).get();
  }

  /** Counts and logs a block's run, then returns its result. */
  <R> R ran(String name, R result) {
    runs.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    log.add(name);
    return result;
  }

  Keel node(QueueBackend b, String type, int maxAttempts, JobHandler<Order> handler) {
    runs.clear();
    log.clear();
    return node(
        b,
        k ->
            k.register(
                JobType.of(type, Order.class, handler)
                    .withMaxAttempts(maxAttempts)
                    .withRetryPolicy(attempt -> Duration.ofMillis(20))));
  }

  static UUID enqueue(Keel keel, String type) {
    return keel.client().enqueue(JobRequest.of(type, new Order("o-1"))).id();
  }

  /** Waits for the state, letting retry delays pass on the fixture's clock meanwhile. */
  Job awaitState(Keel keel, UUID id, JobState state) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(25))
        .until(
            () -> {
              if (keel.client().find(id).orElseThrow().state() == state) {
                return true;
              }
              fixture.passTime(Duration.ofMillis(25));
              return false;
            });
    return keel.client().find(id).orElseThrow();
  }

  static StepReport report(Keel keel, UUID id) {
    return keel.client().steps("default", id).orElseThrow();
  }
}
