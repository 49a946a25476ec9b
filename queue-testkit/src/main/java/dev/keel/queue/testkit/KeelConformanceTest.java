package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.queue.DrainOptions;
import dev.keel.queue.DrainReport;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobOutcomeException;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.PayloadTooLargeException;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract as an application sees it: {@link Keel}'s client, drain, worker and health on top of
 * a backend. A backend module runs it by supplying a {@link BackendFixture}, alongside {@link
 * QueueBackendConformanceTest} (which tests the SPI directly).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class KeelConformanceTest {

  /** A payload for the tests. */
  public record Msg(int n, String text) {}

  private BackendFixture fixture;
  private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

  protected abstract BackendFixture createFixture();

  @BeforeAll
  void setUpFixture() {
    fixture = createFixture();
  }

  @AfterAll
  void tearDownFixture() {
    fixture.close();
  }

  @AfterEach
  void closeResources() throws Exception {
    Collections.reverse(closeAfterTest);
    for (AutoCloseable c : closeAfterTest) {
      c.close();
    }
    closeAfterTest.clear();
  }

  /** A Keel over an empty backend with the given types; closed after the test. */
  private Keel keel(Consumer<Keel.Builder> configure) {
    return keelOn(fixture.openEmpty(), configure);
  }

  private Keel keelOn(QueueBackend backend, Consumer<Keel.Builder> configure) {
    Keel.Builder b = Keel.builder().backend(backend).clock(fixture.clock());
    configure.accept(b);
    Keel keel = b.build();
    closeAfterTest.add(keel);
    return keel;
  }

  private Worker start(Worker worker) {
    closeAfterTest.add(worker);
    return worker.start();
  }

  private static JobRequest<Msg> msg(String type, int n) {
    return JobRequest.of(type, new Msg(n, "m" + n));
  }

  private static JobType<Msg> succeeding(String type) {
    return JobType.of(type, Msg.class, JobHandler.of(m -> {}));
  }

  private static Job job(Keel keel, UUID id) {
    return keel.client().find(id).orElseThrow(() -> new AssertionError("job " + id + " not found"));
  }

  private static List<Job> all(Keel keel, String tenant) {
    return keel.client().list(JobQuery.tenant(tenant).withLimit(JobQuery.MAX_LIMIT)).jobs();
  }

  // ---------------------------------------------------------------- enqueue and validation

  @Test
  void anEnqueuedJobIsRunByAWorker() {
    AtomicInteger ran = new AtomicInteger();
    Keel keel =
        keel(b -> b.register("count", Msg.class, JobHandler.of(m -> ran.incrementAndGet())));
    start(keel.worker().queue("default", 2).pollInterval(Duration.ofMillis(100)).build());
    EnqueueResult r = keel.client().enqueue(msg("count", 1));
    assertThat(r.created()).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> job(keel, r.id()).state() == JobState.SUCCEEDED);
    assertThat(ran).hasValue(1);
    assertThat(job(keel, r.id()).attempt()).isEqualTo(1);
  }

  @Test
  void anIdleWorkerIsWokenByAnEnqueueLongBeforeItsNextPoll() {
    QueueBackend backend = fixture.openEmpty();
    closeAfterTest.add(backend);
    // Reported as skipped, not passed, for a backend whose workers find jobs by polling only.
    assumeTrue(backend.capabilities().wakeups(), "the backend delivers no wake-ups");
    List<Integer> ran = new CopyOnWriteArrayList<>();
    Keel keel =
        keelOn(backend, b -> b.register("wake", Msg.class, JobHandler.of(m -> ran.add(m.n()))));
    // Polling alone would take ten minutes to find a job enqueued while the worker is idle.
    start(keel.worker().queue("default", 1).pollInterval(Duration.ofMinutes(10)).build());
    // Wait until the backend listens (a signal of another queue arrives), so that the job below
    // can only be found through its own signal, not the catch-up made when listening begins.
    List<String> heard = new CopyOnWriteArrayList<>();
    try (Subscription probe = backend.subscribe(heard::add)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                keel.client().enqueue(msg("wake", 0).withQueue("probe"));
                return heard.contains("probe");
              });
    }
    keel.client().enqueue(msg("wake", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains(1));
    // After a job the worker claims once more and finds nothing; let that claim end, so that it
    // cannot be what finds the next job.
    await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
    keel.client().enqueue(msg("wake", 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains(2));
  }

  static Stream<Arguments> badRequests() {
    Map<String, String> tooMany = new java.util.HashMap<>();
    for (int i = 0; i < 65; i++) {
      tooMany.put("k" + i, "v");
    }
    return Stream.of(
        Arguments.of("type", JobRequest.of(" ", new Msg(1, "x"))),
        Arguments.of("type", JobRequest.of(null, new Msg(1, "x"))),
        Arguments.of("type", JobRequest.of("has space", new Msg(1, "x"))),
        Arguments.of("type", JobRequest.of("x".repeat(129), new Msg(1, "x"))),
        Arguments.of("payload", JobRequest.of("t", null)),
        Arguments.of("maxAttempts", msg("t", 1).withMaxAttempts(0)),
        Arguments.of("maxAttempts", msg("t", 1).withMaxAttempts(1001)),
        Arguments.of("priority", msg("t", 1).withPriority(101)),
        Arguments.of("priority", msg("t", 1).withPriority(-101)),
        Arguments.of("queue", msg("t", 1).withQueue("")),
        Arguments.of("tenant", msg("t", 1).withTenant("a/b")),
        Arguments.of("delay", msg("t", 1).withDelay(Duration.ofSeconds(-1))),
        Arguments.of(
            "runAt",
            msg("t", 1).withDelay(Duration.ofSeconds(1)).withRunAt(java.time.Instant.EPOCH)),
        Arguments.of("timeout", msg("t", 1).withTimeout(Duration.ZERO)),
        Arguments.of("idempotencyKey", msg("t", 1).withIdempotencyKey(" ")),
        Arguments.of("idempotencyKey", msg("t", 1).withIdempotencyKey("k".repeat(256))),
        Arguments.of("metadata", msg("t", 1).withMetadata(tooMany)),
        Arguments.of("metadata.k", msg("t", 1).withMetadata("k", "v".repeat(1025))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badInputIsRejectedWithATypedErrorNamingTheFieldAndWritesNothing(
      String field, JobRequest<?> request) {
    Keel keel = keel(b -> {});
    assertThatThrownBy(() -> keel.client().enqueue(request))
        .isInstanceOf(InvalidJobException.class)
        .satisfies(e -> assertThat(((InvalidJobException) e).field()).isEqualTo(field))
        .hasMessageStartingWith(field + ": ");
    assertThat(all(keel, "default")).isEmpty();
  }

  @Test
  void aBatchWithOneBadJobWritesNothingAndNamesTheElement() {
    Keel keel = keel(b -> {});
    List<JobRequest<Msg>> batch =
        List.of(msg("ok", 1), msg("ok", 2), msg("ok", 3).withMaxAttempts(0));
    assertThatThrownBy(() -> keel.client().enqueueAll(batch))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageStartingWith("jobs[2].maxAttempts: ");
    assertThat(all(keel, "default")).isEmpty();
  }

  @Test
  void batchEnqueueCreatesEveryJobInOrder() {
    Keel keel = keel(b -> {});
    List<JobRequest<Msg>> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(msg("bulk", i));
    }
    List<EnqueueResult> results = keel.client().enqueueAll(batch);
    assertThat(results).hasSize(500).allMatch(EnqueueResult::created);
    assertThat(keel.client().payload(job(keel, results.get(123).id()), Msg.class))
        .isEqualTo(new Msg(123, "m123"));
  }

  @Test
  void aPayloadUpToTheLimitIsAcceptedAndOneByteMoreIsRejected() {
    int limit = 64 * 1024;
    Keel keel = keel(b -> b.maxPayloadBytes(limit));
    // {"n":0,"text":"…"} is 17 bytes of frame around the text: this payload is exactly the limit.
    String fits = "é".repeat(100) + "x".repeat(limit - 17 - 200);
    EnqueueResult ok = keel.client().enqueue(JobRequest.of("big", new Msg(0, fits)));
    assertThat(keel.client().payload(job(keel, ok.id()), Msg.class).text()).isEqualTo(fits);
    String tooBig = "x".repeat(limit - 17 + 1);
    assertThatThrownBy(() -> keel.client().enqueue(JobRequest.of("big", new Msg(0, tooBig))))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("payload: must be at most " + limit + " bytes");
    assertThat(all(keel, "default")).hasSize(1);
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void sixteenConcurrentEnqueuesOfOneKeyCreateExactlyOneJob() throws Exception {
    Keel keel = keel(b -> {});
    int threads = 16;
    CyclicBarrier barrier = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<EnqueueResult>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  barrier.await(10, TimeUnit.SECONDS);
                  return keel.client().enqueue(msg("once", 7).withIdempotencyKey("order-42"));
                }));
      }
      Set<UUID> ids = new HashSet<>();
      int created = 0;
      for (Future<EnqueueResult> f : futures) {
        EnqueueResult r = f.get(30, TimeUnit.SECONDS);
        ids.add(r.id());
        created += r.created() ? 1 : 0;
      }
      assertThat(ids).hasSize(1);
      assertThat(created).isEqualTo(1);
      assertThat(all(keel, "default")).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theSameKeyWithADifferentPayloadIsAConflictAndWritesNothing() {
    Keel keel = keel(b -> {});
    EnqueueResult first = keel.client().enqueue(msg("once", 1).withIdempotencyKey("k"));
    assertThatThrownBy(() -> keel.client().enqueue(msg("once", 2).withIdempotencyKey("k")))
        .isInstanceOf(IdempotencyConflictException.class)
        .satisfies(
            e ->
                assertThat(((IdempotencyConflictException) e).existingJobId())
                    .isEqualTo(first.id()));
    assertThat(all(keel, "default")).hasSize(1);
  }

  @Test
  void oneKeyInTwoTenantsMakesTwoJobs() {
    Keel keel = keel(b -> {});
    EnqueueResult a =
        keel.client().enqueue(msg("once", 1).withTenant("acme").withIdempotencyKey("k"));
    EnqueueResult b =
        keel.client().enqueue(msg("once", 1).withTenant("globex").withIdempotencyKey("k"));
    assertThat(a.created()).isTrue();
    assertThat(b.created()).isTrue();
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(keel.client().find("globex", a.id())).isEmpty();
  }

  // ---------------------------------------------------------------- outcomes through drain

  @Test
  void aFailingJobIsRetriedUntilMaxAttemptsThenFailedWithTheLastError() {
    AtomicInteger calls = new AtomicInteger();
    Keel keel =
        keel(
            b ->
                b.register(
                    JobType.of(
                            "flaky",
                            Msg.class,
                            ctx -> {
                              throw new IllegalStateException("boom " + calls.incrementAndGet());
                            })
                        .withRetryPolicy(attempt -> Duration.ofMillis(50))));
    UUID id = keel.client().enqueue(msg("flaky", 1).withMaxAttempts(3)).id();
    for (int attempt = 1; attempt <= 3; attempt++) {
      DrainReport report = keel.drain(DrainOptions.defaults().withMaxJobs(1));
      assertThat(report.ran()).as("attempt %d ran", attempt).isEqualTo(1);
      fixture.passTime(Duration.ofMillis(100));
    }
    Job failed = job(keel, id);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(3);
    assertThat(failed.lastError().message()).contains("boom 3");
    assertThat(failed.lastError().stackTrace()).contains("IllegalStateException");
    assertThat(failed.finishedAt()).isNotNull();
    assertThat(keel.drain().ran()).isZero();
  }

  @Test
  void aPermanentFailureIsNotRetried() {
    Keel keel =
        keel(
            b ->
                b.register(
                    "bad",
                    Msg.class,
                    ctx -> {
                      throw JobOutcomeException.permanentFailure(
                          "invalid address", new IllegalArgumentException("no @"));
                    }));
    UUID id = keel.client().enqueue(msg("bad", 1)).id();
    assertThat(keel.drain().failed()).isEqualTo(1);
    Job j = job(keel, id);
    assertThat(j.state()).isEqualTo(JobState.FAILED);
    assertThat(j.attempt()).isEqualTo(1);
    assertThat(j.lastError().message()).isEqualTo("invalid address");
    assertThat(j.lastError().stackTrace()).contains("no @");
  }

  @Test
  void aSnoozedJobRunsAgainLaterWithoutUsingAnAttempt() {
    AtomicInteger calls = new AtomicInteger();
    Keel keel =
        keel(
            b ->
                b.register(
                    "later",
                    Msg.class,
                    ctx ->
                        calls.incrementAndGet() == 1
                            ? JobOutcome.snooze(Duration.ofMillis(300))
                            : JobOutcome.success()));
    UUID id = keel.client().enqueue(msg("later", 1)).id();
    assertThat(keel.drain().snoozed()).isEqualTo(1);
    Job snoozed = job(keel, id);
    assertThat(snoozed.state()).isEqualTo(JobState.PENDING);
    assertThat(snoozed.attempt()).isZero();
    assertThat(keel.drain().ran()).as("not due yet").isZero();
    fixture.passTime(Duration.ofMillis(400));
    assertThat(keel.drain().succeeded()).isEqualTo(1);
    assertThat(job(keel, id).attempt()).isEqualTo(1);
  }

  @Test
  void aHandlerCanCancelItsJob() {
    Keel keel = keel(b -> b.register("stop", Msg.class, ctx -> JobOutcome.cancel("customer left")));
    UUID id = keel.client().enqueue(msg("stop", 1)).id();
    assertThat(keel.drain().cancelled()).isEqualTo(1);
    assertThat(job(keel, id).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aFailedJobCanBeRedrivenAndThenSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    Keel keel =
        keel(
            b ->
                b.register(
                    "once-bad",
                    Msg.class,
                    ctx ->
                        calls.incrementAndGet() == 1
                            ? JobOutcome.permanentFailure("first time")
                            : JobOutcome.success()));
    UUID id = keel.client().enqueue(msg("once-bad", 1)).id();
    keel.drain();
    assertThat(job(keel, id).state()).isEqualTo(JobState.FAILED);
    assertThat(keel.client().retry("default", id).changed()).isTrue();
    assertThat(keel.drain().succeeded()).isEqualTo(1);
    assertThat(job(keel, id).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(keel.client().retry("default", id).changed())
        .as("only FAILED jobs are re-driven")
        .isFalse();
  }

  @Test
  void drainRunsAtMostMaxJobsAndReportsWhy() {
    Keel keel = keel(b -> b.register(succeeding("quick")));
    for (int i = 0; i < 5; i++) {
      keel.client().enqueue(msg("quick", i));
    }
    DrainReport first = keel.drain(DrainOptions.defaults().withMaxJobs(3));
    assertThat(first.ran()).isEqualTo(3);
    assertThat(first.stoppedBecause()).isEqualTo(DrainReport.StopReason.MAX_JOBS);
    DrainReport second = keel.drain();
    assertThat(second.succeeded()).isEqualTo(2);
    assertThat(second.stoppedBecause()).isEqualTo(DrainReport.StopReason.IDLE);
  }

  @Test
  void drainStopsWhenItsBudgetIsSpent() {
    Keel keel =
        keel(
            b ->
                b.register(
                    "slow",
                    Msg.class,
                    JobHandler.of(m -> fixture.passTime(Duration.ofMillis(300)))));
    for (int i = 0; i < 5; i++) {
      keel.client().enqueue(msg("slow", i));
    }
    DrainReport r = keel.drain(DrainOptions.defaults().withBudget(Duration.ofMillis(500)));
    assertThat(r.stoppedBecause()).isEqualTo(DrainReport.StopReason.BUDGET);
    assertThat(r.ran()).isBetween(1, 2);
    assertThat(keel.drain().ran()).isEqualTo(5 - r.ran());
  }

  @Test
  void drainFiltersByTypeAndTenantAndRejectsUnknownTypes() {
    Keel keel = keel(b -> b.register(succeeding("a")).register(succeeding("b")));
    UUID a1 = keel.client().enqueue(msg("a", 1).withTenant("t1")).id();
    UUID a2 = keel.client().enqueue(msg("a", 2).withTenant("t2")).id();
    UUID b1 = keel.client().enqueue(msg("b", 3).withTenant("t1")).id();
    assertThat(keel.drain(DrainOptions.defaults().withTypes("a").withTenant("t1")).ran())
        .isEqualTo(1);
    assertThat(keel.client().find("t1", a1).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(keel.client().find("t2", a2).orElseThrow().state()).isEqualTo(JobState.PENDING);
    assertThat(keel.client().find("t1", b1).orElseThrow().state()).isEqualTo(JobState.PENDING);
    assertThatThrownBy(() -> keel.drain(DrainOptions.defaults().withTypes("nope")))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("drain.types");
  }

  @Test
  void progressIsStoredAndTheLastValueAlwaysWins() {
    Keel keel =
        keel(
            b ->
                b.register(
                    "progress",
                    Msg.class,
                    ctx -> {
                      for (int p = 0; p <= 100; p += 5) {
                        ctx.progress(p, "step " + p);
                      }
                      return JobOutcome.success();
                    }));
    UUID id = keel.client().enqueue(msg("progress", 1)).id();
    keel.drain();
    Job j = job(keel, id);
    assertThat(j.progress().percent()).isEqualTo(100);
    assertThat(j.progress().message()).isEqualTo("step 100");
  }

  @Test
  void traceContextCapturedAtEnqueueIsRestoredWhileTheHandlerRuns() {
    ThreadLocal<String> current = new ThreadLocal<>();
    TracePropagator tracing =
        new TracePropagator() {
          @Override
          public String capture() {
            return current.get();
          }

          @Override
          public Scope restore(String traceparent) {
            current.set(traceparent);
            return current::remove;
          }
        };
    Map<String, String> seen = new ConcurrentHashMap<>();
    Keel keel =
        keel(
            b ->
                b.tracePropagator(tracing)
                    .register(
                        "traced",
                        Msg.class,
                        JobHandler.of(
                            m -> seen.put("traceparent", String.valueOf(current.get())))));
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    current.set(traceparent);
    UUID id;
    try {
      id = keel.client().enqueue(msg("traced", 1).withTenant("acme")).id();
    } finally {
      current.remove();
    }
    assertThat(keel.client().find("acme", id).orElseThrow().traceparent()).isEqualTo(traceparent);
    keel.drain();
    assertThat(seen).containsEntry("traceparent", traceparent);
    assertThat(current.get()).as("trace scope closed after the job").isNull();
  }

  @Test
  void listenersSeeTheLifecycle() {
    List<String> events = new CopyOnWriteArrayList<>();
    Keel keel =
        keel(
            b ->
                b.register(succeeding("seen"))
                    .listener(e -> events.add(e.getClass().getSimpleName())));
    keel.client().enqueue(msg("seen", 1));
    keel.drain();
    assertThat(events).containsExactly("Enqueued", "Started", "Succeeded");
  }

  // ---------------------------------------------------------------- worker behaviour

  @Test
  void aTimeoutInterruptsTheHandlerAndCountsAsAFailedAttempt() {
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    Keel keel =
        keel(
            b ->
                b.register(
                    JobType.of(
                            "hang",
                            Msg.class,
                            JobHandler.<Msg>of(
                                m -> {
                                  try {
                                    never.await();
                                  } catch (InterruptedException e) {
                                    interrupted.incrementAndGet();
                                    throw e;
                                  }
                                }))
                        .withTimeout(Duration.ofMillis(200))));
    UUID id = keel.client().enqueue(msg("hang", 1).withMaxAttempts(1)).id();
    DrainReport r = keel.drain();
    assertThat(r.failed()).isEqualTo(1);
    assertThat(interrupted).hasValue(1);
    Job j = job(keel, id);
    assertThat(j.state()).isEqualTo(JobState.FAILED);
    assertThat(j.lastError().message()).contains("timed out after PT0.2S");
    assertThat(Thread.currentThread().isInterrupted())
        .as("interrupt does not leak to the caller")
        .isFalse();
  }

  @Test
  void closingAWorkerReleasesPrefetchedJobsWithoutUsingAnAttempt() {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Keel keel =
        keel(
            b ->
                b.register(
                    "block",
                    Msg.class,
                    JobHandler.of(
                        m -> {
                          started.countDown();
                          never.await();
                        })));
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(keel.client().enqueue(msg("block", i)).id());
    }
    Worker worker =
        keel.worker()
            .queue("default", 1)
            .prefetch(3)
            .shutdownGrace(Duration.ZERO)
            .pollInterval(Duration.ofMillis(50))
            .maintenance(false)
            .build()
            .start();
    closeAfterTest.add(worker);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> started.getCount() == 0 && worker.activeJobs() == 4);
    worker.close();
    int pendingUnstarted = 0;
    int interruptedRunning = 0;
    for (UUID id : ids) {
      Job j = job(keel, id);
      assertThat(j.state()).isEqualTo(JobState.PENDING);
      if (j.attempt() == 0) {
        pendingUnstarted++;
      } else {
        interruptedRunning++;
        assertThat(j.attempt()).isEqualTo(1);
        assertThat(j.lastError().message()).contains("interrupted by worker shutdown");
      }
    }
    assertThat(pendingUnstarted).isEqualTo(3);
    assertThat(interruptedRunning).isEqualTo(1);
  }

  @Test
  void cancellingARunningJobStopsItsHandlerAndDiscardsItsResult() {
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    Keel keel =
        keel(
            b ->
                b.listener(events::add)
                    .register(
                        "long",
                        Msg.class,
                        JobHandler.of(
                            m -> {
                              started.countDown();
                              try {
                                new CountDownLatch(1).await();
                              } catch (InterruptedException e) {
                                interrupted.incrementAndGet();
                              }
                            })));
    UUID id = keel.client().enqueue(msg("long", 1)).id();
    start(
        keel.worker()
            .queue("default", 1)
            .leaseDuration(Duration.ofSeconds(3))
            .heartbeatInterval(Duration.ofMillis(100))
            .pollInterval(Duration.ofMillis(50))
            .maintenance(false)
            .build());
    await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
    assertThat(keel.client().cancel("default", id).changed()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.get() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.stream().anyMatch(e -> e instanceof JobEvent.LeaseLost));
    assertThat(job(keel, id).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aWorkerRunsManyJobsEachExactlyOnce() {
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    Keel keel =
        keel(
            b ->
                b.register(
                    "many",
                    Msg.class,
                    JobHandler.of(
                        m ->
                            runs.computeIfAbsent(m.n(), k -> new AtomicInteger())
                                .incrementAndGet())));
    List<JobRequest<Msg>> batch = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      batch.add(msg("many", i));
    }
    keel.client().enqueueAll(batch);
    start(keel.worker().queue("default", 4).pollInterval(Duration.ofMillis(50)).build());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> keel.health().count(JobState.SUCCEEDED) == 2000);
    assertThat(runs).hasSize(2000);
    assertThat(runs.values()).allMatch(c -> c.get() == 1);
  }

  // ---------------------------------------------------------------- health

  @Test
  void healthCountsJobsByStateAndTypeAndJudgesThem() {
    Keel keel =
        keel(
            b ->
                b.register(succeeding("ok"))
                    .register("bad", Msg.class, ctx -> JobOutcome.permanentFailure("no"))
                    .healthThresholds(
                        new dev.keel.queue.HealthThresholds(0, 0, Duration.ofMinutes(5))));
    keel.client().enqueue(msg("ok", 1));
    keel.client().enqueue(msg("bad", 2));
    keel.client().enqueue(msg("later", 3).withDelay(Duration.ofHours(1)));
    HealthSnapshot before = keel.health();
    assertThat(before.backendReachable()).isTrue();
    assertThat(before.count(JobState.PENDING)).isEqualTo(3);
    assertThat(before.oldestDueAge()).isPresent();
    keel.drain();
    HealthSnapshot after = keel.health();
    assertThat(after.count(JobState.SUCCEEDED)).isEqualTo(1);
    assertThat(after.count(JobState.FAILED)).isEqualTo(1);
    assertThat(after.count(JobState.PENDING)).isEqualTo(1);
    assertThat(after.countsByType().get("bad")).containsEntry(JobState.FAILED, 1L);
    assertThat(after.failedLastHour()).isEqualTo(1);
    assertThat(after.oldestDueAge()).as("the only pending job is not due").isEmpty();
    assertThat(after.healthy()).isFalse();
    assertThat(after.problems()).anySatisfy(p -> assertThat(p).contains("failed in the last hour"));
    assertThat(after.recentDurations().count()).isEqualTo(2);
  }
}
