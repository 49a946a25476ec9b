package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.DependencyFailure;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobLinks;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Limits;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.ResolveRequest;
import dev.keel.queue.spi.ResolveResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Job dependencies ({@link JobRequest#dependsOn}): a job waits, PENDING and blocked, until every
 * dependency SUCCEEDED; when one fails for good it is cancelled (or failed) with its own
 * dependents; cycles and unknown dependencies are refused before anything is written. The release
 * happens once however many nodes resolve at the same time. Proven on the SPI, with racing
 * resolvers on several threads and two backends over one namespace, and through two {@code Keel}
 * nodes running workers.
 */
public abstract class DependencyConformanceTest extends CoordinationTestSupport {

  /** A payload for the Keel tests. */
  public record Step(String name) {}

  // ---------------------------------------------------------------- on the SPI

  @Test
  void aJobWaitsBlockedUntilAllItsDependenciesSucceeded() {
    QueueBackend b = empty();
    NewJob a = jobs.of("extract").build();
    NewJob c = jobs.of("extract").build();
    NewJob load = jobs.of("load").priority(-50).dependsOn(a.id(), c.id()).build();
    enqueue(b, a, c, load);

    Job waiting = find(b, load);
    assertThat(waiting.state()).isEqualTo(JobState.PENDING);
    assertThat(waiting.links().blocked()).isTrue();
    assertThat(waiting.links().dependsOn()).containsExactlyInAnyOrder(a.id(), c.id());
    assertThat(waiting.attempt()).isZero();

    List<Job> claimed = claim(b, 10);
    assertThat(ids(claimed))
        .as("a blocked job is never claimed, whatever its priority")
        .containsExactlyInAnyOrder(a.id(), c.id());

    Job first = claimed.stream().filter(j -> j.id().equals(a.id())).findFirst().orElseThrow();
    FencedResult r = finish(b, new Finish.Succeed(first.lease().orElseThrow()));
    assertThat(r.toResolve()).as("the backend names a job others wait for").contains(a.id());
    ResolveResult once = b.resolveBlocked(ResolveRequest.of(Set.of(a.id())));
    assertThat(once.released()).isEmpty();
    assertThat(find(b, load).links().blocked()).as("one dependency still runs").isTrue();
    assertThat(claim(b, 10)).isEmpty();

    Job second = claimed.stream().filter(j -> j.id().equals(c.id())).findFirst().orElseThrow();
    finish(b, new Finish.Succeed(second.lease().orElseThrow()));
    ResolveResult twice = b.resolveBlocked(ResolveRequest.of(Set.of(c.id())));
    assertThat(twice.released()).containsExactly(load.id());
    Job released = find(b, load);
    assertThat(released.links().blocked()).isFalse();
    assertThat(released.state()).isEqualTo(JobState.PENDING);
    assertThat(claim(b, 10)).extracting(Job::id).containsExactly(load.id());
  }

  @Test
  void aFailedDependencyCancelsItsDependentsAndTheirsInOneCall() {
    QueueBackend b = empty();
    NewJob root = jobs.of("extract").maxAttempts(1).build();
    NewJob child = jobs.of("load").dependsOn(root.id()).build();
    NewJob grandchild = jobs.of("report").dependsOn(child.id()).build();
    NewJob failing =
        jobs.of("audit")
            .links(
                new JobLinks(null, List.of(root.id()), DependencyFailure.FAIL, null, false, false))
            .build();
    enqueue(b, root, child, grandchild, failing);

    Job running = claim(b, 10).get(0);
    assertThat(running.id()).isEqualTo(root.id());
    FencedResult r =
        finish(b, new Finish.Fail(running.lease().orElseThrow(), JobError.of("source down")));
    assertThat(r.toResolve()).contains(root.id());
    ResolveResult resolved = b.resolveBlocked(ResolveRequest.of(r.toResolve()));

    assertThat(resolved.cancelled()).containsExactlyInAnyOrder(child.id(), grandchild.id());
    assertThat(resolved.failed()).containsExactly(failing.id());
    Job c = find(b, child);
    assertThat(c.state()).isEqualTo(JobState.CANCELLED);
    assertThat(c.finishedAt()).isNotNull();
    assertThat(c.lastError().message()).contains(root.id().toString()).contains("FAILED");
    assertThat(find(b, grandchild).lastError().message()).contains(child.id().toString());
    Job f = find(b, failing);
    assertThat(f.state()).isEqualTo(JobState.FAILED);
    assertThat(f.attempt()).as("it never ran").isZero();
    assertThat(claim(b, 10)).isEmpty();
    assertThat(b.resolveBlocked(ResolveRequest.of(Set.of(root.id()))).isEmpty())
        .as("a second resolve changes nothing")
        .isTrue();
  }

  @Test
  void racingResolversOnTwoBackendsReleaseAWaitingJobOnce() throws Exception {
    QueueBackend one = empty();
    QueueBackend two = another();
    List<NewJob> roots = new ArrayList<>();
    List<NewJob> waiting = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      NewJob root = jobs.of("extract").build();
      roots.add(root);
      waiting.add(jobs.of("load").dependsOn(root.id()).build());
    }
    List<NewJob> all = new ArrayList<>(roots);
    all.addAll(waiting);
    one.enqueue(new dev.keel.queue.spi.EnqueueRequest(all));
    Set<UUID> ended = new java.util.HashSet<>();
    for (Job j : claim(one, 100)) {
      finish(one, new Finish.Succeed(j.lease().orElseThrow()));
      ended.add(j.id());
    }
    assertThat(ended).hasSize(20);

    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ResolveResult>> calls = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      QueueBackend b = t % 2 == 0 ? one : two;
      calls.add(
          pool.submit(
              () -> {
                go.await();
                return b.resolveBlocked(ResolveRequest.of(ended));
              }));
    }
    go.countDown();
    Map<UUID, Integer> releases = new ConcurrentHashMap<>();
    for (Future<ResolveResult> f : calls) {
      f.get(60, TimeUnit.SECONDS).released().forEach(id -> releases.merge(id, 1, Integer::sum));
    }
    pool.shutdown();
    assertThat(releases).hasSize(20);
    assertThat(releases.values())
        .as("each waiting job released by exactly one call")
        .containsOnly(1);
    assertThat(claim(two, 100)).hasSize(20);
  }

  @Test
  void dependenciesThatEndedBeforeTheEnqueueAreResolvedByIt() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = backendOf(keel);
    NewJob ok = jobs.of("extract").build();
    NewJob bad = jobs.of("extract").maxAttempts(1).build();
    enqueue(b, ok, bad);
    for (Job j : claim(b, 10)) {
      Finish f =
          j.id().equals(ok.id())
              ? new Finish.Succeed(j.lease().orElseThrow())
              : new Finish.Fail(j.lease().orElseThrow(), JobError.of("boom"));
      finish(b, f);
    }
    EnqueueResult afterOk =
        keel.client().enqueue(JobRequest.of("load", new Step("a")).dependsOn(ok.id()));
    EnqueueResult afterBad =
        keel.client().enqueue(JobRequest.of("load", new Step("b")).dependsOn(ok.id(), bad.id()));

    assertThat(keel.client().find(afterOk.id()).orElseThrow().links().blocked()).isFalse();
    Job cancelled = keel.client().find(afterBad.id()).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.lastError().message()).contains(bad.id().toString());
  }

  @Test
  void cancellingADependencyThroughTheClientCancelsItsDependents() {
    Keel keel = node(empty(), b -> {});
    EnqueueResult root = keel.client().enqueue(JobRequest.of("extract", new Step("root")));
    EnqueueResult dependent =
        keel.client().enqueue(JobRequest.of("load", new Step("load")).dependsOn(root.id()));
    assertThat(keel.client().cancel("default", root.id()).changed()).isTrue();
    assertThat(keel.client().find(dependent.id()).orElseThrow().state())
        .isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aBlockedJobCanBeCancelledAndHoldsItsIdempotencyKey() {
    Keel keel = node(empty(), b -> {});
    EnqueueResult root = keel.client().enqueue(JobRequest.of("extract", new Step("root")));
    JobRequest<Step> load =
        JobRequest.of("load", new Step("load")).dependsOn(root.id()).withIdempotencyKey("load:1");
    EnqueueResult first = keel.client().enqueue(load);
    EnqueueResult again = keel.client().enqueue(load);
    assertThat(again.created()).isFalse();
    assertThat(again.id()).isEqualTo(first.id());
    EnqueueResult next =
        keel.client().enqueue(JobRequest.of("report", new Step("r")).dependsOn(first.id()));

    assertThat(keel.client().cancel("default", first.id()).changed()).isTrue();
    assertThat(keel.client().find(first.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(keel.client().find(next.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(keel.client().find(root.id()).orElseThrow().state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void aDependentEnqueuedWhileItsDependencyRunsIsNamedByTheFinish() {
    QueueBackend b = empty();
    NewJob root = jobs.of("extract").build();
    enqueue(b, root);
    Job running = claim(b, 1).get(0);
    NewJob late = jobs.of("load").dependsOn(root.id()).build();
    enqueue(b, late);
    FencedResult r = finish(b, new Finish.Succeed(running.lease().orElseThrow()));
    assertThat(r.toResolve()).containsExactly(root.id());
    assertThat(b.resolveBlocked(ResolveRequest.of(r.toResolve())).released())
        .containsExactly(late.id());
  }

  @Test
  void aDependencyLaterInTheSameRequestIsNamedByItsFinish() {
    QueueBackend b = empty();
    UUID firstId = jobs.nextId();
    NewJob waiting = jobs.of("load").dependsOn(firstId).build();
    NewJob first =
        new NewJob(
            firstId, "extract", "default", "default", "{}", 0, 5, null, null, null, null, null,
            null, null);
    enqueue(b, waiting, first);
    Job running = claim(b, 10).get(0);
    assertThat(running.id()).isEqualTo(firstId);
    FencedResult r = finish(b, new Finish.Succeed(running.lease().orElseThrow()));
    assertThat(r.toResolve()).containsExactly(firstId);
    assertThat(b.resolveBlocked(ResolveRequest.of(r.toResolve())).released())
        .containsExactly(waiting.id());
  }

  @Test
  void aDependencyResolvedToAnExistingJobByItsIdempotencyKeyIsWaitedFor() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = keel.backend();
    EnqueueResult existing =
        keel.client().enqueue(JobRequest.of("extract", new Step("x")).withIdempotencyKey("x"));
    UUID asked = JobRequest.newId();
    List<EnqueueResult> again =
        keel.client()
            .enqueueAll(
                List.of(
                    JobRequest.of("extract", new Step("x")).withIdempotencyKey("x").withId(asked),
                    JobRequest.of("load", new Step("y")).dependsOn(asked)));
    assertThat(again.get(0).created()).isFalse();
    assertThat(again.get(0).id()).isEqualTo(existing.id());
    UUID load = again.get(1).id();
    assertThat(keel.client().find(load).orElseThrow().links().blocked()).isTrue();
    Job running = claim(b, 10).get(0);
    assertThat(running.id()).isEqualTo(existing.id());
    succeedAndResolve(b, running);
    Job released = keel.client().find(load).orElseThrow();
    assertThat(released.state()).isEqualTo(JobState.PENDING);
    assertThat(released.links().blocked()).as("waited for the existing job").isFalse();
  }

  @Test
  void aSucceededDependencyStillCountsAfterItIsPruned() {
    QueueBackend b = empty();
    NewJob quick = jobs.of("extract").build();
    NewJob slow = jobs.of("extract").build();
    NewJob waiting = jobs.of("load").dependsOn(quick.id(), slow.id()).build();
    enqueue(b, quick, slow, waiting);
    List<Job> claimed = claim(b, 10);
    Job q = claimed.stream().filter(j -> j.id().equals(quick.id())).findFirst().orElseThrow();
    Job s = claimed.stream().filter(j -> j.id().equals(slow.id())).findFirst().orElseThrow();
    succeedAndResolve(b, q);
    fixture.passTime(Duration.ofMillis(50));
    Duration tiny = Duration.ofMillis(1);
    b.prune(new dev.keel.queue.spi.PruneRequest(tiny, tiny, tiny, 100));
    assertThat(b.find(new dev.keel.queue.spi.JobRef("default", quick.id())))
        .as("pruned while its dependent waits for the other dependency")
        .isEmpty();
    ResolveResult r = succeedAndResolve(b, s);
    assertThat(r.released()).containsExactly(waiting.id());
  }

  @Test
  void aTakenIdIsRefused() {
    Keel keel = node(empty(), b -> {});
    UUID taken = keel.client().enqueue(JobRequest.of("t", new Step("a"))).id();
    assertThatThrownBy(
            () -> keel.client().enqueue(JobRequest.of("t", new Step("other")).withId(taken)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("id");
    assertThat(keel.client().find(taken).orElseThrow().payload()).contains("\"a\"");
  }

  @Test
  void theSweepReleasesWhatNobodyResolved() {
    QueueBackend b = empty();
    NewJob root = jobs.of("extract").build();
    NewJob late = jobs.of("load").dependsOn(root.id()).build();
    enqueue(b, root, late);
    finish(b, new Finish.Succeed(claim(b, 1).get(0).lease().orElseThrow()));
    // The node that finished the job stops here, before its resolve call.
    ResolveResult swept = b.resolveBlocked(ResolveRequest.sweep(100));
    assertThat(swept.released()).containsExactly(late.id());
    assertThat(b.resolveBlocked(ResolveRequest.sweep(100)).isEmpty()).isTrue();
  }

  // ---------------------------------------------------------------- refused input

  @Test
  void cyclesAreRefusedWithTheirPathAndNothingIsWritten() {
    Keel keel = node(empty(), b -> {});
    UUID a = JobRequest.newId();
    UUID b = JobRequest.newId();
    UUID c = JobRequest.newId();
    List<JobRequest<?>> cycle =
        List.of(
            JobRequest.of("t", new Step("a")).withId(a).dependsOn(c),
            JobRequest.of("t", new Step("b")).withId(b).dependsOn(a),
            JobRequest.of("t", new Step("c")).withId(c).dependsOn(b));
    assertThatThrownBy(() -> keel.client().enqueueAll(cycle))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("dependsOn")
        .hasMessageContaining("cycle")
        .hasMessageContaining("jobs[0]")
        .hasMessageContaining("jobs[2]");
    assertThatThrownBy(
            () ->
                keel.client().enqueue(JobRequest.of("t", new Step("self")).withId(a).dependsOn(a)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("dependsOn[0]")
        .hasMessageContaining("itself");
    assertThat(keel.client().list(JobQuery.tenant("default")).jobs()).isEmpty();

    // The same three without the closing edge: a chain, written in one request.
    List<EnqueueResult> chain =
        keel.client()
            .enqueueAll(
                List.of(
                    JobRequest.of("t", new Step("a")).withId(a),
                    JobRequest.of("t", new Step("b")).withId(b).dependsOn(a),
                    JobRequest.of("t", new Step("c")).withId(c).dependsOn(b)));
    assertThat(chain).extracting(EnqueueResult::id).containsExactly(a, b, c);
    assertThat(keel.client().find(c).orElseThrow().links().blocked()).isTrue();
  }

  @Test
  void unknownDependenciesAndOtherTenantsJobsAreRefused() {
    Keel keel = node(empty(), b -> {});
    EnqueueResult elsewhere =
        keel.client().enqueue(JobRequest.of("t", new Step("x")).withTenant("other"));
    UUID unknown = JobRequest.newId();
    assertThatThrownBy(
            () -> keel.client().enqueue(JobRequest.of("t", new Step("a")).dependsOn(unknown)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("dependsOn")
        .hasMessageContaining(unknown.toString());
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueAll(
                        List.of(
                            JobRequest.of("t", new Step("fine")),
                            JobRequest.of("t", new Step("a")).dependsOn(elsewhere.id()))))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("dependsOn")
        .hasMessageContaining(elsewhere.id().toString());
    assertThatThrownBy(
            () -> {
              UUID sibling = JobRequest.newId();
              keel.client()
                  .enqueueAll(
                      List.of(
                          JobRequest.of("t", new Step("s")).withTenant("other").withId(sibling),
                          JobRequest.of("t", new Step("a")).dependsOn(sibling)));
            })
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("jobs[1].dependsOn[0]")
        .hasMessageContaining("own tenant");
    assertThat(keel.client().list(JobQuery.tenant("default")).jobs())
        .as("the whole request was refused")
        .isEmpty();
  }

  @Test
  void badDependencyOptionsNameTheFieldAndTheRule() {
    Keel keel = node(empty(), b -> {});
    UUID some = keel.client().enqueue(JobRequest.of("t", new Step("x"))).id();
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueue(
                        JobRequest.of("t", new Step("a"))
                            .dependsOn(some)
                            .withDelay(Duration.ofMinutes(1))))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("delay");
    List<UUID> many = new ArrayList<>();
    for (int i = 0; i <= Limits.MAX_DEPENDENCIES; i++) {
      many.add(some);
    }
    for (int i = 0; i < Limits.MAX_DEPENDENCIES; i++) {
      many.set(i, JobRequest.newId());
    }
    assertThatThrownBy(
            () -> keel.client().enqueue(JobRequest.of("t", new Step("a")).dependsOn(many)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("dependsOn")
        .hasMessageContaining("at most " + Limits.MAX_DEPENDENCIES);
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueue(
                        JobRequest.of("t", new Step("a"))
                            .onDependencyFailure(DependencyFailure.FAIL)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("onDependencyFailure");
    assertThat(keel.client().list(JobQuery.tenant("default")).jobs()).hasSize(1);
  }

  // ---------------------------------------------------------------- through Keel

  @Test
  void aDiamondRunsInDependencyOrderOnceAcrossTwoNodes() {
    List<String> order = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    JobType<Step> step =
        JobType.of(
            "step",
            Step.class,
            ctx -> {
              order.add(ctx.payload().name());
              runs.computeIfAbsent(ctx.payload().name(), k -> new AtomicInteger())
                  .incrementAndGet();
              return JobOutcome.success();
            });
    Keel one = node(empty(), b -> b.register(step));
    Keel two = node(another(), b -> b.register(step));
    List<JobRequest<?>> requests = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      UUID top = JobRequest.newId();
      UUID left = JobRequest.newId();
      UUID right = JobRequest.newId();
      requests.add(JobRequest.of("step", new Step(d + ":bottom")).dependsOn(left, right));
      requests.add(JobRequest.of("step", new Step(d + ":left")).withId(left).dependsOn(top));
      requests.add(JobRequest.of("step", new Step(d + ":right")).withId(right).dependsOn(top));
      requests.add(JobRequest.of("step", new Step(d + ":top")).withId(top));
    }
    one.client().enqueueAll(requests);
    start(one, 4);
    start(two, 4);

    await().atMost(Duration.ofSeconds(60)).until(() -> order.size() == 40);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    for (int d = 0; d < 10; d++) {
      int top = order.indexOf(d + ":top");
      int left = order.indexOf(d + ":left");
      int right = order.indexOf(d + ":right");
      int bottom = order.indexOf(d + ":bottom");
      assertThat(top).isLessThan(left).isLessThan(right);
      assertThat(bottom).isGreaterThan(left).isGreaterThan(right);
    }
    assertThat(one.client().list(JobQuery.tenant("default").withLimit(100)).jobs())
        .allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
  }

  @Test
  void aDependencyThatFailsForGoodInAWorkerCancelsTheRestOfThePipeline() {
    List<String> ran = new CopyOnWriteArrayList<>();
    JobType<Step> step =
        JobType.of(
                "step",
                Step.class,
                ctx -> {
                  ran.add(ctx.payload().name());
                  return ctx.payload().name().equals("extract")
                      ? JobOutcome.permanentFailure("source down")
                      : JobOutcome.success();
                })
            .withMaxAttempts(1);
    Keel keel = node(empty(), b -> b.register(step));
    UUID extract = keel.client().enqueue(JobRequest.of("step", new Step("extract"))).id();
    UUID load =
        keel.client().enqueue(JobRequest.of("step", new Step("load")).dependsOn(extract)).id();
    UUID report =
        keel.client()
            .enqueue(
                JobRequest.of("step", new Step("report"))
                    .dependsOn(load)
                    .onDependencyFailure(DependencyFailure.FAIL))
            .id();
    start(keel, 2);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> keel.client().find(report).orElseThrow().state().isTerminal());
    assertThat(ran).containsExactly("extract");
    assertThat(keel.client().find(load).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    Job r = keel.client().find(report).orElseThrow();
    assertThat(r.state()).isEqualTo(JobState.FAILED);
    assertThat(r.lastError().message()).contains(load.toString());
  }

  private static QueueBackend backendOf(Keel keel) {
    return keel.backend();
  }
}
