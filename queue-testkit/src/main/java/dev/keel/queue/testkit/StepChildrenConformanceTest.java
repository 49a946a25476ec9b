package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.steps.ChildResult;
import dev.keel.queue.steps.ChildResults;
import dev.keel.queue.steps.Children;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Child jobs of a durable step ({@code ctx.children}) and job results ({@code
 * JobOutcome.success(result)}) through Keel's engine: the children are enqueued once, at most N run
 * at once, the parent is woken when the last one ended and gets every child's state and result.
 */
public abstract class StepChildrenConformanceTest extends StepTestSupport {

  /** A child's payload. */
  public record Part(int n) {}

  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();

  @BeforeEach
  void resetCounters() {
    runs.clear();
    log.clear();
    running.set(0);
    maxRunning.set(0);
  }

  private JobType<Part> part(CountDownLatch gate) {
    return JobType.of(
            "part",
            Part.class,
            ctx -> {
              int now = running.incrementAndGet();
              maxRunning.accumulateAndGet(now, Math::max);
              try {
                ran("part-" + ctx.payload().n(), null);
                if (gate != null) {
                  gate.await(20, TimeUnit.SECONDS);
                } else {
                  Thread.sleep(20);
                }
                if (ctx.payload().n() == 3) {
                  return JobOutcome.permanentFailure("part 3 is broken");
                }
                return JobOutcome.success(ctx.payload().n() * 10);
              } finally {
                running.decrementAndGet();
              }
            })
        .withMaxAttempts(1);
  }

  private static Children parts(int count, int cap) {
    List<JobRequest<?>> jobs = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      jobs.add(JobRequest.of("part", new Part(i)));
    }
    return Children.of(jobs).withMaxRunning(cap);
  }

  @Test
  void aParentWaitsForItsChildrenAtMostNRunningAndCollectsTheirResults() {
    QueueBackend b = empty();
    AtomicReference<ChildResults<Integer>> seen = new AtomicReference<>();
    Keel keel =
        node(
            b,
            k ->
                k.register(part(null))
                    .register(
                        JobType.of(
                                "assemble",
                                Order.class,
                                ctx -> {
                                  ctx.step("before", Integer.class, () -> ran("before", 1));
                                  ChildResults<Integer> r =
                                      ctx.children("parts", parts(6, 2), Integer.class);
                                  seen.set(r);
                                  ran("after", null);
                                  return JobOutcome.success();
                                })
                            .withMaxAttempts(1)));
    UUID id = keel.client().enqueue(JobRequest.of("assemble", new Order("o-1"))).id();
    start(keel, 4);
    awaitState(keel, id, JobState.SUCCEEDED);

    assertThat(maxRunning.get()).as("at most 2 children at once").isLessThanOrEqualTo(2);
    assertThat(runs("before")).isEqualTo(1);
    assertThat(runs("after")).isEqualTo(1);
    for (int i = 1; i <= 6; i++) {
      assertThat(runs("part-" + i)).as("child %d ran once", i).isEqualTo(1);
    }
    ChildResults<Integer> r = seen.get();
    assertThat(r.children()).hasSize(6);
    assertThat(r.children()).extracting(ChildResult::type).containsOnly("part");
    assertThat(r.children())
        .extracting(ChildResult::state)
        .containsExactly(
            JobState.SUCCEEDED,
            JobState.SUCCEEDED,
            JobState.FAILED,
            JobState.SUCCEEDED,
            JobState.SUCCEEDED,
            JobState.SUCCEEDED);
    assertThat(r.results()).containsExactly(10, 20, 40, 50, 60);
    assertThat(r.allSucceeded()).isFalse();
    assertThat(r.failures())
        .singleElement()
        .satisfies(f -> assertThat(f.error()).contains("part 3"));
    assertThat(keel.client().batch("default", r.batchId()).orElseThrow().count(JobState.SUCCEEDED))
        .isEqualTo(5);
    for (ChildResult<Integer> c : r.children()) {
      assertThat(keel.client().find(c.id()).orElseThrow().state()).isEqualTo(c.state());
    }
    Job parent = keel.client().find(id).orElseThrow();
    assertThat(parent.attempt()).as("waiting used no attempt").isEqualTo(1);
    StepInfo step = report(keel, id).steps().get(1);
    assertThat(step.name()).isEqualTo("parts");
    assertThat(step.kind()).isEqualTo(StepKind.CHILDREN);
    assertThat(step.state()).isEqualTo(StepState.COMPLETED);
  }

  @Test
  void aParentRunAgainAfterItsChildrenEndedGetsTheStoredAnswerAndEnqueuesNothing() {
    QueueBackend b = empty();
    List<ChildResults<Integer>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Keel keel =
        node(
            b,
            k ->
                k.register(part(null))
                    .register(
                        JobType.of(
                                "assemble",
                                Order.class,
                                ctx -> {
                                  seen.add(ctx.children("parts", parts(2, 0), Integer.class));
                                  if (ctx.attempt() == 1) {
                                    throw new IllegalStateException("crash after the children");
                                  }
                                  return JobOutcome.success();
                                })
                            .withMaxAttempts(3)
                            .withRetryPolicy(attempt -> Duration.ofMillis(20))));
    UUID id = keel.client().enqueue(JobRequest.of("assemble", new Order("o-1"))).id();
    start(keel, 3);
    Job done = awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(runs("part-1")).isEqualTo(1);
    assertThat(runs("part-2")).isEqualTo(1);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1)).isEqualTo(seen.get(0));
    // the parent, its 2 children and the batch's callback: nothing enqueued twice
    assertThat(keel.client().list(JobQuery.tenant("default").withLimit(100)).jobs()).hasSize(4);
  }

  @Test
  void cancellingAWaitingParentCancelsItsPendingChildren() throws Exception {
    QueueBackend b = empty();
    CountDownLatch gate = new CountDownLatch(1);
    AtomicReference<UUID> batch = new AtomicReference<>();
    Keel keel =
        node(
            b,
            k ->
                k.register(part(gate))
                    .register(
                        JobType.of(
                            "assemble",
                            Order.class,
                            ctx -> {
                              ctx.children("parts", parts(4, 1), Integer.class);
                              ran("after", null);
                              return JobOutcome.success();
                            })));
    UUID id = keel.client().enqueue(JobRequest.of("assemble", new Order("o-1"))).id();
    start(keel, 3);
    await().atMost(Duration.ofSeconds(20)).until(() -> running.get() == 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    assertThat(keel.client().cancel("default", id).changed()).isTrue();
    gate.countDown();
    awaitState(keel, id, JobState.CANCELLED);
    List<Job> parts =
        keel.client().list(JobQuery.tenant("default").withLimit(100)).jobs().stream()
            .filter(j -> j.type().equals("part"))
            .toList();
    assertThat(parts).hasSize(4);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                parts.stream()
                    .allMatch(p -> keel.client().find(p.id()).orElseThrow().state().isTerminal()));
    List<JobState> states =
        parts.stream().map(p -> keel.client().find(p.id()).orElseThrow().state()).toList();
    assertThat(states).containsOnly(JobState.SUCCEEDED, JobState.CANCELLED);
    assertThat(states).filteredOn(s -> s == JobState.CANCELLED).hasSize(3);
    assertThat(runs("after")).isZero();
    batch.set(parts.get(0).links().batchId());
    assertThat(keel.client().batch("default", batch.get()).orElseThrow().cancelledAt()).isNotNull();
  }

  @Test
  void aChildThatBreaksARuleFailsTheParentWithATypedErrorAndEnqueuesNothing() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            k ->
                k.register(part(null))
                    .register(
                        JobType.of(
                            "assemble",
                            Order.class,
                            ctx -> {
                              ctx.children(
                                  "parts",
                                  Children.of(
                                      List.of(
                                          JobRequest.of("part", new Part(1)),
                                          JobRequest.of("part", new Part(2))
                                              .withIdempotencyKey("p-2"))),
                                  Integer.class);
                              return JobOutcome.success();
                            })));
    UUID id = keel.client().enqueue(JobRequest.of("assemble", new Order("o-1"))).id();
    start(keel, 2);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.lastError().message()).contains("children[1].idempotencyKey");
    assertThat(keel.client().list(JobQuery.tenant("default").withLimit(100)).jobs())
        .extracting(Job::id)
        .containsExactly(id);
    assertThat(report(keel, id).steps()).isEmpty();
  }

  @Test
  void aJobsResultIsStoredFencedAndReadableAndAnOversizedOneIsATypedError() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            k ->
                k.register(
                    JobType.of(
                        "compute",
                        Order.class,
                        ctx ->
                            ctx.payload().id().equals("big")
                                ? JobOutcome.success("x".repeat(70_000))
                                : JobOutcome.success(List.of(ctx.payload().id(), "done")))));
    UUID small = keel.client().enqueue(JobRequest.of("compute", new Order("o-1"))).id();
    UUID big = keel.client().enqueue(JobRequest.of("compute", new Order("big"))).id();
    start(keel, 2);
    awaitState(keel, small, JobState.SUCCEEDED);
    assertThat(keel.client().result("default", small, List.class)).hasValue(List.of("o-1", "done"));
    assertThat(report(keel, small).steps()).as("a result is not a step").isEmpty();
    assertThat(keel.client().result("other", small, List.class)).as("tenant-scoped").isEmpty();
    Job failed = awaitState(keel, big, JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.lastError().message())
        .startsWith("result: must be at most 65536 bytes of UTF-8 JSON, was 70002")
        .doesNotContain("keel:result")
        .doesNotContain("step");
    assertThat(keel.client().result("default", big, String.class)).isEmpty();
  }

  @Test
  void aParentThatFailsForGoodAfterItsChildrenCompensatesThemWithTheirResults() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            k ->
                k.register(part(null))
                    .register(
                        JobType.of(
                                "assemble",
                                Order.class,
                                ctx -> {
                                  ctx.step(
                                      "reserve",
                                      Integer.class,
                                      () -> ran("reserve", 1),
                                      r -> ran("undo-reserve", r));
                                  ctx.children(
                                      "parts",
                                      parts(2, 0),
                                      Integer.class,
                                      r -> ran("undo-parts " + r.results(), null));
                                  return JobOutcome.permanentFailure("publishing refused");
                                })
                            .withMaxAttempts(1)));
    UUID id = keel.client().enqueue(JobRequest.of("assemble", new Order("o-1"))).id();
    start(keel, 3);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(log).endsWith("undo-parts [10, 20]", "undo-reserve");
    assertThat(runs("part-1")).as("children are not enqueued again by the replay").isEqualTo(1);
    assertThat(failed.lastError().message())
        .contains("publishing refused")
        .contains("compensated 2 step(s)");
    assertThat(report(keel, id).steps())
        .extracting(StepInfo::state)
        .containsExactly(StepState.COMPENSATED, StepState.COMPENSATED);
  }

  @Test
  void aChildrenSignalWakesOnlyItsOwnStepNotALaterChildrenStepOrSleep() throws Exception {
    QueueBackend b = empty();
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger slowRunning = new AtomicInteger();
    AtomicInteger handled = new AtomicInteger();
    Keel keel =
        node(
            b,
            k ->
                k.register(part(null))
                    .register(
                        JobType.of(
                                "slow",
                                Part.class,
                                ctx -> {
                                  slowRunning.incrementAndGet();
                                  gate.await(20, TimeUnit.SECONDS);
                                  return JobOutcome.success(ctx.payload().n());
                                })
                            .withMaxAttempts(1))
                    .register(
                        JobType.of(
                                "rollout",
                                Order.class,
                                ctx -> {
                                  handled.incrementAndGet();
                                  ctx.children("regions", parts(2, 0), Integer.class);
                                  ctx.children(
                                      "zones",
                                      Children.of(List.of(JobRequest.of("slow", new Part(9)))),
                                      Integer.class);
                                  ctx.sleep("cool-off", Duration.ofHours(1));
                                  ran("after", null);
                                  return JobOutcome.success();
                                })
                            .withMaxAttempts(1)));
    UUID id = keel.client().enqueue(JobRequest.of("rollout", new Order("o-1"))).id();
    start(keel, 4);

    // The second children step waits for its batch while the first one's signal is stored.
    await().atMost(Duration.ofSeconds(20)).until(() -> slowRunning.get() == 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    Thread.sleep(1000);
    assertThat(handled.get())
        .as("the parent is not claimed again in a loop while its second batch runs")
        .isLessThanOrEqualTo(3);
    assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.PENDING);

    gate.countDown();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                report(keel, id).steps().size() == 3
                    && keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    int beforeSleep = handled.get();
    Thread.sleep(1000);
    assertThat(handled.get())
        .as("a sleep after children steps stays asleep: the children signals wake it no more")
        .isEqualTo(beforeSleep)
        .isLessThanOrEqualTo(4);
    Job sleeping = keel.client().find(id).orElseThrow();
    assertThat(sleeping.state()).isEqualTo(JobState.PENDING);
    assertThat(sleeping.runAt()).isAfter(sleeping.createdAt().plus(Duration.ofMinutes(30)));
    assertThat(report(keel, id).steps().get(2).state()).isEqualTo(StepState.SLEEPING);
    assertThat(runs("after")).isZero();
  }

  @Test
  void aResultStoredByAnAttemptWhoseFinishWasLostDoesNotBreakTheNextAttemptsSteps() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            k ->
                k.register(
                    JobType.of(
                            "compute",
                            Order.class,
                            ctx -> {
                              int a = ctx.step("a", Integer.class, () -> ran("a", 1));
                              int c = ctx.step("b", Integer.class, () -> ran("b", 2));
                              return JobOutcome.success(a + c);
                            })
                        .withMaxAttempts(2)));
    UUID id = keel.client().enqueue(JobRequest.of("compute", new Order("o-1"))).id();
    // Attempt 1 returned success(result) and stored it, then its worker died before the finish.
    Job running =
        b.claim(
                new dev.keel.queue.spi.ClaimRequest(
                    "dead-worker",
                    java.util.Set.of(),
                    java.util.Set.of(),
                    java.util.Set.of(),
                    null,
                    1,
                    Duration.ofMillis(200)))
            .jobs()
            .get(0);
    assertThat(
            b.saveSteps(
                    dev.keel.queue.spi.StepWriteRequest.of(
                        running.lease().orElseThrow(),
                        new dev.keel.queue.spi.StepWrite(
                            "keel:result",
                            Integer.MAX_VALUE,
                            "{\"kind\":\"STEP\",\"state\":\"COMPLETED\",\"result\":7,"
                                + "\"attempt\":1,\"compensable\":false,"
                                + "\"compensationAttempts\":0}")))
                .applied())
        .isTrue();
    fixture.passTime(Duration.ofMillis(300));
    assertThat(b.rescue(new dev.keel.queue.spi.RescueRequest(10)).retried()).containsExactly(id);

    start(keel, 1);
    Job done = awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(keel.client().result("default", id, Integer.class)).hasValue(3);
    assertThat(report(keel, id).steps())
        .extracting(StepInfo::name, StepInfo::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", StepState.COMPLETED),
            org.assertj.core.groups.Tuple.tuple("b", StepState.COMPLETED));
  }

  @Test
  void cancellingARunningParentAlsoCancelsTheChildrenItEnqueuedWhileTheCancelWasUnderWay() {
    QueueBackend inner = empty();
    AtomicReference<Runnable> beforeCancel = new AtomicReference<>();
    QueueBackend b =
        new dev.keel.queue.spi.ForwardingQueueBackend() {
          @Override
          protected QueueBackend delegate() {
            return inner;
          }

          @Override
          public dev.keel.queue.spi.ChangeResult cancel(dev.keel.queue.spi.CancelRequest request) {
            Runnable r = beforeCancel.getAndSet(null);
            if (r != null) {
              r.run();
            }
            return super.cancel(request);
          }
        };
    Keel keel = node(b, k -> k.register(part(null)));
    UUID id = keel.client().enqueue(JobRequest.of("assemble", new Order("o-1"))).id();
    Job running = claim(b, 1).get(0);
    List<JobRequest<?>> parts = new ArrayList<>();
    parts.add(JobRequest.of("part", new Part(1)));
    parts.add(JobRequest.of("part", new Part(2)));
    AtomicReference<UUID> batch = new AtomicReference<>();
    // The parent, still RUNNING, reaches its children step after the client read its steps (none)
    // and before the cancel: it stores the WAITING record and enqueues the batch, as ctx.children.
    beforeCancel.set(
        () ->
            keel.client()
                .enqueueBatch(
                    dev.keel.queue.BatchRequest.of(parts),
                    prepared -> {
                      batch.set(prepared.batches().get(0).id());
                      String body =
                          "{\"kind\":\"CHILDREN\",\"state\":\"WAITING\",\"result\":{\"batch\":\""
                              + prepared.batches().get(0).id()
                              + "\",\"ids\":[\""
                              + prepared.jobs().get(0).id()
                              + "\",\""
                              + prepared.jobs().get(1).id()
                              + "\"]},\"attempt\":1,\"compensable\":false,"
                              + "\"compensationAttempts\":0}";
                      assertThat(
                              inner
                                  .saveSteps(
                                      dev.keel.queue.spi.StepWriteRequest.of(
                                          running.lease().orElseThrow(),
                                          new dev.keel.queue.spi.StepWrite("parts", 0, body)))
                                  .applied())
                          .isTrue();
                      return inner.enqueue(prepared);
                    }));

    assertThat(keel.client().cancel("default", id).changed()).isTrue();
    assertThat(batch.get()).isNotNull();
    List<Job> children =
        keel.client().list(JobQuery.tenant("default").withLimit(100)).jobs().stream()
            .filter(j -> j.type().equals("part"))
            .toList();
    assertThat(children).hasSize(2);
    assertThat(children)
        .as("the cancel read the parent's steps again and cancelled its children")
        .allSatisfy(
            c ->
                assertThat(keel.client().find(c.id()).orElseThrow().state())
                    .isEqualTo(JobState.CANCELLED));
    assertThat(keel.client().batch("default", batch.get()).orElseThrow().cancelledAt()).isNotNull();
  }
}
