package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.BatchRequest;
import dev.keel.queue.BatchResult;
import dev.keel.queue.BatchState;
import dev.keel.queue.BatchStatus;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
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
 * Batches ({@link dev.keel.queue.JobClient#enqueueBatch}): members and callbacks written at once;
 * callbacks blocked until every member ended, then released exactly once (on-success only if all
 * succeeded) however many nodes end members or resolve at the same time; progress by state; a cap
 * on running members; members adding children; cancel. Proven on the SPI and through two {@code
 * Keel} nodes running workers over one namespace.
 */
public abstract class BatchConformanceTest extends CoordinationTestSupport {

  /** A payload for the Keel tests. */
  public record Chunk(int n) {}

  private static List<JobRequest<?>> chunks(int n) {
    List<JobRequest<?>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(JobRequest.of("chunk", new Chunk(i)));
    }
    return out;
  }

  // ---------------------------------------------------------------- without workers

  @Test
  void callbacksWaitBlockedWhileMembersRunAndProgressIsCountedByState() {
    Keel keel = node(empty(), b -> {});
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(chunks(5))
                    .onSuccess(JobRequest.of("summary", new Chunk(-1)))
                    .onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    assertThat(batch.jobs()).hasSize(5).allSatisfy(r -> assertThat(r.created()).isTrue());
    QueueBackend b = keel.backend();
    Job callback = keel.client().find(batch.onSuccess().id()).orElseThrow();
    assertThat(callback.state()).isEqualTo(JobState.PENDING);
    assertThat(callback.links().blocked()).isTrue();
    assertThat(callback.links().callbackOf()).isEqualTo(batch.id());
    Job member = keel.client().find(batch.jobs().get(0).id()).orElseThrow();
    assertThat(member.links().batchId()).isEqualTo(batch.id());
    assertThat(member.links().blocked()).isFalse();

    List<Job> claimed = claim(b, 20);
    assertThat(claimed).as("callbacks are never claimed before the batch completes").hasSize(5);
    finish(b, new Finish.Succeed(claimed.get(0).lease().orElseThrow()));
    finish(b, new Finish.Cancel(claimed.get(1).lease().orElseThrow(), "not needed"));
    BatchStatus open = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(open.state()).isEqualTo(BatchState.OPEN);
    assertThat(open.count(JobState.SUCCEEDED)).isEqualTo(1);
    assertThat(open.count(JobState.CANCELLED)).isEqualTo(1);
    assertThat(open.count(JobState.RUNNING)).isEqualTo(3);
    assertThat(open.total()).isEqualTo(5);
    assertThat(open.onSuccessJob()).isEqualTo(batch.onSuccess().id());
    assertThat(keel.client().batch("other", batch.id())).as("tenant-scoped").isEmpty();
  }

  @Test
  void whenTheLastMembersEndOnTwoBackendsAtOnceTheBatchCompletesOnce() throws Exception {
    Keel keel = node(empty(), b -> {});
    QueueBackend one = keel.backend();
    QueueBackend two = another();
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(chunks(12))
                    .onSuccess(JobRequest.of("summary", new Chunk(-1)))
                    .onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    List<Job> claimed = claim(one, 20);
    assertThat(claimed).hasSize(12);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ResolveResult>> calls = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      QueueBackend b = t % 2 == 0 ? one : two;
      List<Job> mine = claimed.subList(t * 2, t * 2 + 2);
      calls.add(
          pool.submit(
              () -> {
                go.await();
                Set<UUID> ended = new java.util.HashSet<>();
                for (Job j : mine) {
                  ended.addAll(finish(b, new Finish.Succeed(j.lease().orElseThrow())).toResolve());
                }
                return b.resolveBlocked(ResolveRequest.of(ended));
              }));
    }
    go.countDown();
    Map<UUID, Integer> completions = new ConcurrentHashMap<>();
    Map<UUID, Integer> releases = new ConcurrentHashMap<>();
    for (Future<ResolveResult> f : calls) {
      ResolveResult r = f.get(60, TimeUnit.SECONDS);
      r.completedBatches().forEach(id -> completions.merge(id, 1, Integer::sum));
      r.released().forEach(id -> releases.merge(id, 1, Integer::sum));
    }
    pool.shutdown();
    assertThat(completions).containsExactly(Map.entry(batch.id(), 1));
    assertThat(releases)
        .containsOnlyKeys(batch.onSuccess().id(), batch.onComplete().id())
        .containsValues(1);
    BatchStatus done = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
    assertThat(done.succeeded()).isTrue();
    assertThat(done.count(JobState.SUCCEEDED)).isEqualTo(12);
    assertThat(done.completedAt()).isNotNull();
    assertThat(claim(two, 10))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(batch.onSuccess().id(), batch.onComplete().id());
  }

  @Test
  void aMemberThatFailedCancelsOnSuccessAndReleasesOnComplete() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = keel.backend();
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(chunks(2))
                    .onSuccess(JobRequest.of("summary", new Chunk(-1)))
                    .onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    List<Job> claimed = claim(b, 10);
    finish(b, new Finish.Succeed(claimed.get(0).lease().orElseThrow()));
    Set<UUID> ended =
        finish(
                b,
                new Finish.Fail(
                    claimed.get(1).lease().orElseThrow(), dev.keel.queue.JobError.of("bad chunk")))
            .toResolve();
    ResolveResult r = b.resolveBlocked(ResolveRequest.of(ended));
    assertThat(r.completedBatches()).containsExactly(batch.id());
    assertThat(r.cancelled()).containsExactly(batch.onSuccess().id());
    assertThat(r.released()).containsExactly(batch.onComplete().id());
    Job skipped = keel.client().find(batch.onSuccess().id()).orElseThrow();
    assertThat(skipped.state()).isEqualTo(JobState.CANCELLED);
    assertThat(skipped.lastError().message()).contains("1 FAILED");
    BatchStatus done = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(done.succeeded()).isFalse();
    assertThat(done.count(JobState.FAILED)).isEqualTo(1);
    assertThat(done.count(JobState.SUCCEEDED)).isEqualTo(1);
  }

  @Test
  void cancelBatchCancelsPendingMembersAndTheBatchCompletesWhenTheRunningOneEnds() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = keel.backend();
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(chunks(4))
                    .onSuccess(JobRequest.of("summary", new Chunk(-1)))
                    .onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    Job running = claim(b, 1).get(0);
    assertThat(keel.client().cancelBatch("default", batch.id())).isEqualTo(3);
    BatchStatus afterCancel = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(afterCancel.state()).isEqualTo(BatchState.OPEN);
    assertThat(afterCancel.count(JobState.CANCELLED)).isEqualTo(3);
    assertThat(afterCancel.count(JobState.RUNNING)).isEqualTo(1);

    assertThat(afterCancel.cancelledAt()).isNotNull();
    assertThatThrownBy(
            () -> keel.client().enqueue(JobRequest.of("chunk", new Chunk(9)).inBatch(batch.id())))
        .as("a cancelled batch takes no new members, not even from its running one")
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("cancelled");
    dev.keel.queue.spi.NewJob late =
        jobs.of("chunk").links(dev.keel.queue.JobLinks.NONE.inBatch(batch.id())).build();
    assertThatThrownBy(() -> b.enqueue(EnqueueRequest.of(late)))
        .as("the backend refuses it too")
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("batchId");
    Set<UUID> ended = finish(b, new Finish.Succeed(running.lease().orElseThrow())).toResolve();
    b.resolveBlocked(ResolveRequest.of(ended));
    assertThat(keel.client().batch("default", batch.id()).orElseThrow().state())
        .isEqualTo(BatchState.COMPLETED);
    assertThat(keel.client().find(batch.onSuccess().id()).orElseThrow().state())
        .isEqualTo(JobState.CANCELLED);
    Job cleanup = keel.client().find(batch.onComplete().id()).orElseThrow();
    assertThat(cleanup.state()).isEqualTo(JobState.PENDING);
    assertThat(cleanup.links().blocked()).isFalse();
    assertThatThrownBy(() -> keel.client().cancelBatch("default", JobRequest.newId()))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("batchId");
  }

  @Test
  void aBatchWhoseMembersAllExistedCompletesAtOnce() {
    Keel keel = node(empty(), b -> {});
    EnqueueResult existing =
        keel.client().enqueue(JobRequest.of("chunk", new Chunk(0)).withIdempotencyKey("chunk:0"));
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(
                        List.of(JobRequest.of("chunk", new Chunk(0)).withIdempotencyKey("chunk:0")))
                    .onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    assertThat(batch.jobs().get(0).created()).isFalse();
    assertThat(batch.jobs().get(0).id()).isEqualTo(existing.id());
    assertThat(keel.client().find(existing.id()).orElseThrow().links().batchId())
        .as("a job that existed does not join the batch")
        .isNull();
    BatchStatus status = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(status.state()).isEqualTo(BatchState.COMPLETED);
    assertThat(status.total()).isZero();
    assertThat(keel.client().find(batch.onComplete().id()).orElseThrow().links().blocked())
        .isFalse();
  }

  @Test
  void theSweepCompletesABatchNobodyResolved() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = keel.backend();
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(chunks(2)).onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    for (Job j : claim(b, 10)) {
      finish(b, new Finish.Succeed(j.lease().orElseThrow()));
    }
    // The nodes that finished the members stopped before their resolve calls.
    ResolveResult swept = b.resolveBlocked(ResolveRequest.sweep(100));
    assertThat(swept.completedBatches()).containsExactly(batch.id());
    assertThat(swept.released()).containsExactly(batch.onComplete().id());
    assertThat(b.resolveBlocked(ResolveRequest.sweep(100)).isEmpty()).isTrue();
  }

  @Test
  void pruneDeletesCompletedBatchesPastTheLongestRetentionAndKeepsOpenOnes() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = keel.backend();
    BatchResult done = keel.client().enqueueBatch(BatchRequest.of(chunks(1)));
    BatchResult open = keel.client().enqueueBatch(BatchRequest.of(chunks(1)));
    Job member =
        claim(b, 10).stream()
            .filter(j -> j.id().equals(done.jobs().get(0).id()))
            .findFirst()
            .orElseThrow();
    succeedAndResolve(b, member);
    assertThat(keel.client().batch("default", done.id()).orElseThrow().state())
        .isEqualTo(BatchState.COMPLETED);
    fixture.passTime(Duration.ofMillis(50));
    Duration hour = Duration.ofHours(1);
    Duration tiny = Duration.ofMillis(1);
    b.prune(new dev.keel.queue.spi.PruneRequest(tiny, hour, tiny, 100));
    assertThat(keel.client().batch("default", done.id()))
        .as("kept while the longest retention (failed: 1 h) runs")
        .isPresent();
    b.prune(new dev.keel.queue.spi.PruneRequest(tiny, tiny, tiny, 100));
    assertThat(keel.client().batch("default", done.id())).isEmpty();
    assertThat(keel.client().batch("default", open.id())).as("open batches stay").isPresent();
  }

  @Test
  void joiningAnUnknownOrCompletedBatchIsRefused() {
    Keel keel = node(empty(), b -> {});
    UUID unknown = JobRequest.newId();
    assertThatThrownBy(
            () -> keel.client().enqueue(JobRequest.of("chunk", new Chunk(1)).inBatch(unknown)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("batchId")
        .hasMessageContaining(unknown.toString());
    BatchResult batch = keel.client().enqueueBatch(BatchRequest.of(chunks(1)));
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueue(
                        JobRequest.of("chunk", new Chunk(1))
                            .withTenant("other")
                            .inBatch(batch.id())))
        .as("another tenant's batch is unknown")
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("batchId");
    assertThat(keel.client().cancelBatch("default", batch.id())).isEqualTo(1);
    assertThat(keel.client().batch("default", batch.id()).orElseThrow().state())
        .isEqualTo(BatchState.COMPLETED);
    assertThatThrownBy(
            () -> keel.client().enqueue(JobRequest.of("chunk", new Chunk(2)).inBatch(batch.id())))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("batchId")
        .hasMessageContaining("already complete");
    // The backend checks too, atomically, for a writer that skipped the client.
    dev.keel.queue.spi.NewJob late =
        jobs.of("chunk").links(dev.keel.queue.JobLinks.NONE.inBatch(batch.id())).build();
    assertThatThrownBy(() -> keel.backend().enqueue(EnqueueRequest.of(late)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("batchId");
    assertThat(keel.backend().find(new dev.keel.queue.spi.JobRef("default", late.id()))).isEmpty();
  }

  @Test
  void badBatchesNameTheFieldAndWriteNothing() {
    Keel keel = node(empty(), b -> {});
    assertThatThrownBy(() -> keel.client().enqueueBatch(BatchRequest.of(List.of())))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("jobs")
        .hasMessageContaining("at least one");
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueBatch(
                        BatchRequest.of(
                            List.of(
                                JobRequest.of("chunk", new Chunk(0)),
                                JobRequest.of("chunk", new Chunk(1)).withTenant("other")))))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("jobs[1].tenant");
    assertThatThrownBy(
            () -> keel.client().enqueueBatch(BatchRequest.of(chunks(2)).withMaxRunning(-1)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("maxRunning");
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueBatch(
                        BatchRequest.of(
                                List.of(
                                    JobRequest.of("chunk", new Chunk(0)).withConcurrency("k", 1)))
                            .withMaxRunning(2)))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("jobs[0].concurrencyKey");
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueBatch(
                        BatchRequest.of(chunks(1))
                            .onComplete(
                                JobRequest.of("cleanup", new Chunk(0))
                                    .dependsOn(JobRequest.newId()))))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("onComplete.dependsOn");
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueBatch(
                        BatchRequest.of(List.of(JobRequest.of("chunk", new Chunk(0))))
                            .onSuccess(JobRequest.of("", new Chunk(0)))))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("onSuccess.type");
    UUID callback = JobRequest.newId();
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueBatch(
                        BatchRequest.of(
                                List.of(JobRequest.of("chunk", new Chunk(0)).dependsOn(callback)))
                            .onComplete(JobRequest.of("cleanup", new Chunk(0)).withId(callback))))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("jobs[0].dependsOn[0]")
        .hasMessageContaining("cycle");
    assertThat(keel.client().list(JobQuery.tenant("default")).jobs()).isEmpty();
  }

  @Test
  void aRedrivenMemberKeepsItsBatchOpen() {
    Keel keel = node(empty(), b -> {});
    QueueBackend b = keel.backend();
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(chunks(2)).onComplete(JobRequest.of("cleanup", new Chunk(-2))));
    List<Job> claimed = claim(b, 10);
    b.resolveBlocked(
        ResolveRequest.of(
            finish(
                    b,
                    new Finish.Fail(
                        claimed.get(0).lease().orElseThrow(), dev.keel.queue.JobError.of("bad")))
                .toResolve()));
    assertThat(keel.client().retry("default", claimed.get(0).id()).changed()).isTrue();
    succeedAndResolve(b, claimed.get(1));
    assertThat(keel.client().batch("default", batch.id()).orElseThrow().state())
        .as("the re-driven member is PENDING again")
        .isEqualTo(BatchState.OPEN);
    Job again = claim(b, 10).get(0);
    succeedAndResolve(b, again);
    BatchStatus done = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
    assertThat(done.count(JobState.SUCCEEDED)).isEqualTo(2);
  }

  // ---------------------------------------------------------------- through Keel

  @Test
  void aThousandChunksOnTwoNodesCappedAtFourReleaseTheSummaryOnce() {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger worst = new AtomicInteger();
    AtomicInteger chunksRun = new AtomicInteger();
    List<BatchStatus> summaries = new CopyOnWriteArrayList<>();
    Map<String, Keel> nodes = new ConcurrentHashMap<>();
    JobType<Chunk> chunk =
        JobType.of(
            "chunk",
            Chunk.class,
            ctx -> {
              worst.accumulateAndGet(inside.incrementAndGet(), Math::max);
              try {
                Thread.sleep(1);
              } finally {
                inside.decrementAndGet();
              }
              chunksRun.incrementAndGet();
              return JobOutcome.success();
            });
    JobType<Chunk> summary =
        JobType.of(
            "summary",
            Chunk.class,
            ctx -> {
              UUID batchId = ctx.job().links().callbackOf();
              summaries.add(nodes.get("one").client().batch(ctx.tenant(), batchId).orElseThrow());
              return JobOutcome.success();
            });
    Keel one = node(empty(), b -> b.register(chunk).register(summary));
    Keel two = node(another(), b -> b.register(chunk).register(summary));
    nodes.put("one", one);
    BatchResult batch =
        one.client()
            .enqueueBatch(
                BatchRequest.of(chunks(1000))
                    .withMaxRunning(4)
                    .onSuccess(JobRequest.of("summary", new Chunk(-1))));
    start(one, 8);
    start(two, 8);

    await().atMost(Duration.ofSeconds(120)).until(() -> !summaries.isEmpty());
    assertThat(chunksRun.get()).isEqualTo(1000);
    assertThat(worst.get()).as("maxRunning holds across both nodes").isLessThanOrEqualTo(4);
    BatchStatus seen = summaries.get(0);
    assertThat(seen.id()).isEqualTo(batch.id());
    assertThat(seen.state()).isEqualTo(BatchState.COMPLETED);
    assertThat(seen.count(JobState.SUCCEEDED)).isEqualTo(1000);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                one.client().find(batch.onSuccess().id()).orElseThrow().state()
                    == JobState.SUCCEEDED);
    assertThat(summaries).as("the callback ran exactly once").hasSize(1);
    assertThat(one.client().find(batch.onSuccess().id()).orElseThrow().attempt()).isEqualTo(1);
  }

  @Test
  void aMemberAddsChildrenToItsOwnBatchAndTheBatchWaitsForThem() {
    List<String> ran = new CopyOnWriteArrayList<>();
    Map<String, Keel> nodes = new ConcurrentHashMap<>();
    JobType<Chunk> parent =
        JobType.of(
            "parent",
            Chunk.class,
            ctx -> {
              List<JobRequest<?>> children = new ArrayList<>();
              for (int i = 0; i < 3; i++) {
                children.add(
                    JobRequest.of("child", new Chunk(i)).inBatch(ctx.job().links().batchId()));
              }
              nodes.get("keel").client().enqueueAll(children);
              ran.add("parent");
              return JobOutcome.success();
            });
    JobType<Chunk> child =
        JobType.of(
            "child",
            Chunk.class,
            ctx -> {
              ran.add("child");
              return JobOutcome.success();
            });
    JobType<Chunk> done =
        JobType.of(
            "done",
            Chunk.class,
            ctx -> {
              ran.add("done");
              return JobOutcome.success();
            });
    Keel keel = node(empty(), b -> b.register(parent).register(child).register(done));
    nodes.put("keel", keel);
    BatchResult batch =
        keel.client()
            .enqueueBatch(
                BatchRequest.of(List.of(JobRequest.of("parent", new Chunk(0))))
                    .withMaxRunning(2)
                    .onComplete(JobRequest.of("done", new Chunk(-1))));
    start(keel, 4);

    await().atMost(Duration.ofSeconds(30)).until(() -> ran.contains("done"));
    assertThat(ran).hasSize(5);
    assertThat(ran.get(4)).as("the callback runs after the children too").isEqualTo("done");
    BatchStatus status = keel.client().batch("default", batch.id()).orElseThrow();
    assertThat(status.count(JobState.SUCCEEDED)).isEqualTo(4);
    List<Job> children = keel.client().list(JobQuery.tenant("default").withType("child")).jobs();
    assertThat(children)
        .hasSize(3)
        .allSatisfy(
            j -> {
              assertThat(j.links().batchId()).isEqualTo(batch.id());
              assertThat(j.concurrencyLimit()).as("children keep to the cap").isEqualTo(2);
            });
  }
}
