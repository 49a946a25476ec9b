package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Concurrency keys ({@link JobRequest#withConcurrency}, {@link JobType#withConcurrency}): at most n
 * jobs of a key RUNNING at once, cluster-wide, enforced in the claim. A job whose key is full stays
 * PENDING without using an attempt and holds nothing back; an expired lease frees its slot. Proven
 * on the SPI, with racing claimers on several threads and two backends over one namespace, and
 * through two {@code Keel} nodes running workers.
 */
public abstract class ConcurrencyKeyConformanceTest extends CoordinationTestSupport {
  private static final Duration SHORT_LEASE = Duration.ofMillis(300);
  private static final Duration PAST_SHORT_LEASE = Duration.ofMillis(400);
  private static final Duration LONG_LEASE = Duration.ofMinutes(5);

  /** A payload for the Keel tests. */
  public record Sync(String mailbox, int n) {}

  private static void enqueue(QueueBackend b, List<NewJob> list) {
    b.enqueue(new EnqueueRequest(list));
  }

  private static List<Job> claim(QueueBackend b, int limit, Duration lease) {
    return b.claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, limit, lease)).jobs();
  }

  private static void succeed(QueueBackend b, Job job) {
    assertThat(b.finish(FinishRequest.of(new Finish.Succeed(job.lease().orElseThrow()))).applied())
        .containsExactly(job.id());
  }

  // ---------------------------------------------------------------- the claim, on the SPI

  @Test
  void aFullKeyLeavesItsJobsPendingWithoutAnAttemptAndClaimsJobsBehindIt() {
    QueueBackend b = empty();
    NewJob a1 = jobs.of("sync").concurrency("mailbox:1", 1).priority(-10).build();
    NewJob a2 = jobs.of("sync").concurrency("mailbox:1", 1).priority(-10).build();
    NewJob a3 = jobs.of("sync").concurrency("mailbox:1", 1).priority(-10).build();
    NewJob other = jobs.of("sync").concurrency("mailbox:2", 1).priority(5).build();
    NewJob plain = jobs.of("report").priority(10).build();
    enqueue(b, List.of(a1, a2, a3, other, plain));

    List<Job> first = claim(b, 10, LONG_LEASE);
    assertThat(first).extracting(Job::id).containsExactly(a1.id(), other.id(), plain.id());
    assertThat(first.get(0).concurrencyKey()).isEqualTo("mailbox:1");
    assertThat(first.get(0).concurrencyLimit()).isEqualTo(1);
    for (NewJob waiting : List.of(a2, a3)) {
      Job j = find(b, waiting);
      assertThat(j.state()).isEqualTo(JobState.PENDING);
      assertThat(j.attempt()).as("a job whose key is full uses no attempt").isZero();
      assertThat(j.concurrencyKey()).isEqualTo("mailbox:1");
    }
    assertThat(claim(b, 10, LONG_LEASE)).as("mailbox:1 is full").isEmpty();

    succeed(b, first.get(0));
    assertThat(claim(b, 10, LONG_LEASE)).extracting(Job::id).containsExactly(a2.id());
  }

  @Test
  void aLimitOfThreeRunsThreeAtOnceAndTheNextWhenOneEnds() {
    QueueBackend b = empty();
    List<NewJob> export = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      export.add(jobs.of("export").concurrency("tenant:acme", 3).build());
    }
    enqueue(b, export);

    List<Job> running = new ArrayList<>(claim(b, 10, LONG_LEASE));
    assertThat(running).extracting(Job::id).containsExactly(newIds(export.subList(0, 3)));
    assertThat(claim(b, 1, LONG_LEASE)).isEmpty();

    // A failed attempt that goes back to PENDING frees its slot too.
    Job retried = running.remove(0);
    b.finish(
        FinishRequest.of(
            new Finish.Retry(
                retried.lease().orElseThrow(),
                new dev.keel.queue.JobError("boom", null),
                Duration.ofHours(1))));
    assertThat(claim(b, 10, LONG_LEASE)).extracting(Job::id).containsExactly(export.get(3).id());
  }

  @Test
  void anExpiredLeaseFreesItsSlotBeforeAnyRescue() {
    QueueBackend b = empty();
    NewJob first = jobs.of("sync").concurrency("mailbox:9", 1).build();
    NewJob second = jobs.of("sync").concurrency("mailbox:9", 1).build();
    enqueue(b, List.of(first, second));
    Job held = claim(b, 10, SHORT_LEASE).get(0);
    assertThat(held.id()).isEqualTo(first.id());
    assertThat(claim(b, 10, LONG_LEASE)).isEmpty();

    fixture.passTime(PAST_SHORT_LEASE);
    assertThat(claim(b, 10, LONG_LEASE)).extracting(Job::id).containsExactly(second.id());
    // The holder whose lease expired cannot renew it: its slot went to the second job, and the
    // worker learns it lost the first.
    assertThat(
            b.heartbeat(
                    new dev.keel.queue.spi.HeartbeatRequest(
                        List.of(held.lease().orElseThrow()), LONG_LEASE))
                .lost())
        .containsExactly(first.id());
    assertThat(find(b, first).leaseExpiresAt()).isEqualTo(held.leaseExpiresAt());
  }

  @Test
  void aHotKeyWithManyPendingJobsDoesNotHoldBackOtherKeysOrTypes() {
    QueueBackend b = empty();
    List<NewJob> hot = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      hot.add(jobs.of("sync").concurrency("hot", 2).priority(-50).build());
    }
    enqueue(b, hot);
    NewJob cold = jobs.of("sync").concurrency("cold", 1).priority(50).build();
    NewJob plain = jobs.of("report").priority(60).build();
    enqueue(b, List.of(cold, plain));

    assertThat(claim(b, 3, LONG_LEASE))
        .extracting(Job::id)
        .containsExactly(hot.get(0).id(), hot.get(1).id(), cold.id());
    assertThat(claim(b, 3, LONG_LEASE)).extracting(Job::id).containsExactly(plain.id());
    assertThat(claim(b, 3, LONG_LEASE)).isEmpty();
  }

  @Test
  void aWaitingJobCanBeCancelledAndIsNeverClaimedWhileTheOthersKeepTheirOrder() {
    QueueBackend b = empty();
    NewJob first = jobs.of("sync").concurrency("m", 1).build();
    NewJob cancelled = jobs.of("sync").concurrency("m", 1).build();
    NewJob third = jobs.of("sync").concurrency("m", 1).build();
    enqueue(b, List.of(first, cancelled, third));
    Job running = claim(b, 10, LONG_LEASE).get(0);
    assertThat(claim(b, 10, LONG_LEASE)).isEmpty();
    assertThat(
            b.cancel(
                    new dev.keel.queue.spi.CancelRequest(
                        new JobRef("default", cancelled.id()), "no"))
                .changed())
        .isTrue();
    succeed(b, running);
    assertThat(claim(b, 10, LONG_LEASE)).extracting(Job::id).containsExactly(third.id());
    assertThat(find(b, cancelled).state()).isEqualTo(JobState.CANCELLED);
    assertThat(claim(b, 10, LONG_LEASE)).isEmpty();
  }

  @Test
  void aFullKeyInOneTenantsClaimHoldsNothingBackAndItsJobsStayClaimableByAnyClaim() {
    QueueBackend b = empty();
    NewJob acme1 = jobs.of("sync").tenant("acme").concurrency("shared", 1).build();
    NewJob acme2 = jobs.of("sync").tenant("acme").concurrency("shared", 1).build();
    NewJob acmeFree = jobs.of("sync").tenant("acme").build();
    enqueue(b, List.of(acme1, acme2, acmeFree));
    List<Job> acme =
        b.claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), "acme", 10, LONG_LEASE)).jobs();
    assertThat(acme).extracting(Job::id).containsExactly(acme1.id(), acmeFree.id());
    succeed(b, acme.get(0));
    assertThat(claim(b, 10, LONG_LEASE))
        .as("a claim for any tenant takes the job that waited")
        .extracting(Job::id)
        .containsExactly(acme2.id());
  }

  @Test
  void keysAreCountedAcrossQueuesAndTypesButClaimFiltersStillApply() {
    QueueBackend b = empty();
    NewJob inMail = jobs.of("a").queue("mail").concurrency("k", 1).build();
    NewJob inOps = jobs.of("b").queue("ops").concurrency("k", 1).build();
    enqueue(b, List.of(inMail, inOps));
    List<Job> ops =
        b.claim(new ClaimRequest("w", Set.of("ops"), Set.of(), Set.of(), null, 10, LONG_LEASE))
            .jobs();
    assertThat(ops).extracting(Job::id).containsExactly(inOps.id());
    assertThat(
            b.claim(new ClaimRequest("w", Set.of("mail"), Set.of(), Set.of(), null, 10, LONG_LEASE))
                .jobs())
        .as("the key is cluster-wide: the ops job holds it")
        .isEmpty();
  }

  @Test
  void racingClaimersOnTwoNodesNeverRunMoreThanTheLimitOfAKey() throws Exception {
    QueueBackend b = empty();
    QueueBackend b2 = another();
    int keys = 10;
    int limit = 2;
    int perKey = 20;
    List<NewJob> all = new ArrayList<>();
    for (int i = 0; i < perKey; i++) {
      for (int k = 0; k < keys; k++) {
        all.add(jobs.of("sync").concurrency("key-" + k, limit).payloadN(i).build());
      }
    }
    enqueue(b, all);
    Map<String, AtomicInteger> runningNow = new ConcurrentHashMap<>();
    AtomicInteger worst = new AtomicInteger();
    Set<java.util.UUID> done = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      QueueBackend node = t % 2 == 0 ? b : b2;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (done.size() < all.size() && System.nanoTime() < deadline) {
                  List<Job> got = claim(node, 5, LONG_LEASE);
                  for (Job j : got) {
                    int now =
                        runningNow
                            .computeIfAbsent(j.concurrencyKey(), k -> new AtomicInteger())
                            .incrementAndGet();
                    worst.accumulateAndGet(now, Math::max);
                  }
                  Thread.yield();
                  for (Job j : got) {
                    // Counted down before the finish: the slot is free only after it.
                    runningNow.get(j.concurrencyKey()).decrementAndGet();
                    succeed(node, j);
                    assertThat(done.add(j.id())).as("claimed once: " + j.id()).isTrue();
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      try {
        f.get(90, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        errors.add(e.getCause());
      }
    }
    pool.shutdownNow();
    assertThat(errors).isEmpty();
    assertThat(done).hasSize(all.size());
    assertThat(worst.get()).isBetween(1, limit);
  }

  // ---------------------------------------------------------------- through Keel

  @Test
  void aTypeRuleLimitsOneSyncPerMailboxAcrossTwoNodes() {
    Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
    Map<String, Integer> worst = new ConcurrentHashMap<>();
    AtomicInteger ran = new AtomicInteger();
    JobType<Sync> sync =
        JobType.of(
                "mailbox.sync",
                Sync.class,
                ctx -> {
                  String m = ctx.payload().mailbox();
                  int now = inside.computeIfAbsent(m, k -> new AtomicInteger()).incrementAndGet();
                  worst.merge(m, now, Math::max);
                  try {
                    Thread.sleep(5); // work that overlaps with the other node's
                  } finally {
                    inside.get(m).decrementAndGet();
                  }
                  ran.incrementAndGet();
                  return JobOutcome.success();
                })
            .withConcurrency(s -> "mailbox:" + s.mailbox(), 1);
    Keel one = node(empty(), b -> b.register(sync));
    Keel two = node(another(), b -> b.register(sync));
    List<JobRequest<?>> requests = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      requests.add(JobRequest.of("mailbox.sync", new Sync("m" + (i % 4), i)));
    }
    one.client().enqueueAll(requests);
    Worker w1 =
        one.worker().queue("default", 4).pollInterval(Duration.ofMillis(20)).build().start();
    Worker w2 =
        two.worker().queue("default", 4).pollInterval(Duration.ofMillis(20)).build().start();
    closeAfter(w2::close);
    closeAfter(w1::close);

    await().atMost(Duration.ofSeconds(60)).until(() -> ran.get() == 40);
    assertThat(worst).hasSize(4);
    assertThat(worst.values()).allSatisfy(v -> assertThat(v).isEqualTo(1));
    List<Job> stored = one.client().list(JobQuery.tenant("default").withLimit(100)).jobs();
    assertThat(stored).hasSize(40);
    assertThat(stored)
        .allSatisfy(
            j -> {
              assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
              assertThat(j.attempt()).as("no attempt used while waiting").isEqualTo(1);
              assertThat(j.concurrencyKey()).startsWith("mailbox:m");
            });
  }

  @Test
  void aRequestKeyWinsOverTheTypeRuleAndABlankRuleKeyMeansNoLimit() {
    JobType<Sync> sync =
        JobType.of("mailbox.sync", Sync.class, ctx -> JobOutcome.success())
            .withConcurrency(s -> s.mailbox().isEmpty() ? null : "mailbox:" + s.mailbox(), 2);
    Keel keel = node(empty(), b -> b.register(sync));
    Job ruled =
        keel.client()
            .find(
                "default",
                keel.client().enqueue(JobRequest.of("mailbox.sync", new Sync("a", 1))).id())
            .orElseThrow();
    assertThat(ruled.concurrencyKey()).isEqualTo("mailbox:a");
    assertThat(ruled.concurrencyLimit()).isEqualTo(2);
    Job own =
        keel.client()
            .find(
                "default",
                keel.client()
                    .enqueue(
                        JobRequest.of("mailbox.sync", new Sync("a", 2)).withConcurrency("own", 7))
                    .id())
            .orElseThrow();
    assertThat(own.concurrencyKey()).isEqualTo("own");
    assertThat(own.concurrencyLimit()).isEqualTo(7);
    Job free =
        keel.client()
            .find(
                "default",
                keel.client().enqueue(JobRequest.of("mailbox.sync", new Sync("", 3))).id())
            .orElseThrow();
    assertThat(free.concurrencyKey()).isNull();
    assertThat(free.concurrencyLimit()).isZero();
  }

  @Test
  void aScheduledJobKeepsTheConcurrencyKeyOfItsTemplate() {
    Keel keel =
        node(
            empty(),
            b ->
                b.schedule(
                    dev.keel.queue.recurring.Schedule.every("hourly-sync", Duration.ofHours(1))
                        .job(
                            JobRequest.of("mailbox.sync", new Sync("s", 0))
                                .withConcurrency("mailbox:s", 1))
                        .build()));
    Job fired =
        keel.client().find("default", keel.schedules().trigger("hourly-sync").id()).orElseThrow();
    assertThat(fired.concurrencyKey()).isEqualTo("mailbox:s");
    assertThat(fired.concurrencyLimit()).isEqualTo(1);
  }

  @Test
  void aBackendThatDoesNotEnforceKeysRefusesKeyedJobsAndTypesWithARule() {
    QueueBackend plain = empty();
    QueueBackend without =
        new dev.keel.queue.spi.ForwardingQueueBackend() {
          @Override
          protected QueueBackend delegate() {
            return plain;
          }

          @Override
          public dev.keel.queue.spi.BackendCapabilities capabilities() {
            return plain.capabilities().withCoordination(false);
          }

          @Override
          public void close() {}
        };
    Keel keel = node(without, b -> {});
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueue(JobRequest.of("sync", Map.of("n", 1)).withConcurrency("k", 1)))
        .isInstanceOfSatisfying(
            InvalidJobException.class,
            e -> {
              assertThat(e.field()).isEqualTo("concurrencyKey");
              assertThat(e.rule()).contains("not enforced");
            });
    assertThat(keel.client().list(JobQuery.tenant("default")).jobs()).isEmpty();
    assertThatThrownBy(
            () ->
                Keel.builder()
                    .backend(without)
                    .register(
                        JobType.of("mailbox.sync", Sync.class, ctx -> JobOutcome.success())
                            .withConcurrency(Sync::mailbox, 1))
                    .build())
        .isInstanceOf(dev.keel.queue.KeelConfigurationException.class)
        .hasMessageContaining("concurrency");
    assertThatThrownBy(() -> keel.locks())
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("locks");
  }

  @Test
  void badKeysAndLimitsAreRefusedBeforeAnythingIsWritten() {
    Keel keel = node(empty(), b -> {});
    JobRequest<Map<String, Integer>> base = JobRequest.of("sync", Map.of("n", 1));
    assertThatThrownBy(() -> keel.client().enqueue(base.withConcurrency(" ", 1)))
        .isInstanceOfSatisfying(
            InvalidJobException.class,
            e -> {
              assertThat(e.field()).isEqualTo("concurrencyKey");
              assertThat(e.rule()).contains("blank");
            });
    assertThatThrownBy(() -> keel.client().enqueue(base.withConcurrency("x".repeat(256), 1)))
        .isInstanceOfSatisfying(
            InvalidJobException.class, e -> assertThat(e.field()).isEqualTo("concurrencyKey"));
    assertThatThrownBy(() -> keel.client().enqueue(base.withConcurrency("k", 0)))
        .isInstanceOfSatisfying(
            InvalidJobException.class,
            e -> {
              assertThat(e.field()).isEqualTo("concurrencyLimit");
              assertThat(e.rule()).contains("between 1 and 10000");
            });
    assertThatThrownBy(
            () ->
                keel.client()
                    .enqueueAll(
                        List.of(base.withConcurrency("ok", 1), base.withConcurrency("k", 10_001))))
        .isInstanceOf(InvalidJobException.class);
    assertThat(keel.client().list(JobQuery.tenant("default")).jobs()).isEmpty();
  }

  private static java.util.UUID[] newIds(List<NewJob> list) {
    return list.stream().map(NewJob::id).toArray(java.util.UUID[]::new);
  }
}
