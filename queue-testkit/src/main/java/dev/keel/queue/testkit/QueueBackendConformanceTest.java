package dev.keel.queue.testkit;

import static dev.keel.queue.testkit.TestPayloads.assertSameJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobProgress;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.Lease;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PingResult;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The backend contract as executable tests: every {@link QueueBackend} (inline, postgres, redis)
 * extends this class, supplies a {@link BackendFixture}, and is done when all of it passes.
 *
 * <p>The tests talk to the SPI directly, as core would. They never assume exact timestamps from a
 * backend: times are bounded by the backend's own clock read through {@link QueueBackend#ping()}
 * before and after a call, with {@link #SLACK} for storage precision. Time passes only through
 * {@link BackendFixture#passTime}, in steps well under a second, so the suite stays fast on durable
 * backends whose clock cannot be moved.
 */
@TestInstance(PER_CLASS)
public abstract class QueueBackendConformanceTest {

  /** A lease the tests let expire. */
  protected static final Duration SHORT_LEASE = Duration.ofMillis(300);

  /** Time to pass so that a {@link #SHORT_LEASE} taken before has certainly expired. */
  protected static final Duration PAST_SHORT_LEASE = Duration.ofMillis(400);

  /** A lease that never expires during a test. */
  protected static final Duration LONG_LEASE = Duration.ofMinutes(5);

  /** Delay used for scheduled, retried and snoozed jobs. */
  protected static final Duration DELAY = Duration.ofMillis(400);

  /** Tolerance for storage precision (micro- or milliseconds) when bounding a stored time. */
  protected static final Duration SLACK = Duration.ofMillis(100);

  private static final Duration FUTURE = Duration.ofHours(1);

  protected BackendFixture fixture;
  protected QueueBackend backend;
  protected TestJobs jobs;

  /** The fixture of the backend under test; called once per test class. */
  protected abstract BackendFixture createFixture();

  @BeforeAll
  void createFixtureOnce() {
    fixture = createFixture();
    jobs = new TestJobs(fixture.clock());
  }

  @BeforeEach
  void openEmptyBackend() {
    backend = fixture.openEmpty();
  }

  @AfterEach
  void closeBackend() {
    if (backend != null) {
      backend.close();
      backend = null;
    }
  }

  @AfterAll
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  // ---------------------------------------------------------------- capabilities and ping

  @Test
  void capabilitiesDescribeTheBackend() {
    BackendCapabilities caps = backend.capabilities();
    assertThat(caps.name()).isNotBlank();
    assertThat(caps.maxBatchSize()).isPositive();
  }

  @Test
  void pingReturnsTheServerTime() {
    PingResult ping = backend.ping();
    assertThat(ping.serverTime()).isNotNull();
    // Durable backends read their server's clock, so allow for skew against the fixture's clock.
    assertThat(Duration.between(fixture.clock().instant(), ping.serverTime()).abs())
        .isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void closeIsIdempotent() {
    assertThatCode(backend::close).as("first close").doesNotThrowAnyException();
    assertThatCode(backend::close).as("second close").doesNotThrowAnyException();
  }

  // ---------------------------------------------------------------- enqueue

  @Test
  void enqueuedJobRoundTripsEveryField() {
    NewJob job =
        jobs.of("report.render")
            .queue("reports")
            .tenant("acme")
            .payload("{\"format\":\"pdf\",\"pages\":3,\"title\":\"Q3\"}")
            .priority(7)
            .maxAttempts(5)
            .timeout(Duration.ofSeconds(45))
            .idempotencyKey("report-42")
            .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .metadata("origin", "api")
            .metadata("user", "zoë")
            .build();

    Instant before = serverNow();
    EnqueueResult result = enqueue(job);
    Instant after = serverNow();

    assertThat(result).isEqualTo(new EnqueueResult(job.id(), true, JobState.PENDING));
    Job stored = find(job);
    assertThat(stored.id()).isEqualTo(job.id());
    assertThat(stored.type()).isEqualTo("report.render");
    assertThat(stored.queue()).isEqualTo("reports");
    assertThat(stored.tenant()).isEqualTo("acme");
    assertSameJson(stored.payload(), job.payload());
    assertThat(stored.priority()).isEqualTo(7);
    assertThat(stored.state()).isEqualTo(JobState.PENDING);
    assertThat(stored.attempt()).isZero();
    assertThat(stored.maxAttempts()).isEqualTo(5);
    assertTimeBetween("createdAt", stored.createdAt(), before, after);
    assertTimeBetween("runAt", stored.runAt(), before, after);
    assertThat(Duration.between(stored.createdAt(), stored.runAt()).abs()).isLessThan(SLACK);
    assertThat(stored.startedAt()).isNull();
    assertThat(stored.finishedAt()).isNull();
    assertThat(stored.leaseOwner()).isNull();
    assertThat(stored.leaseToken()).isNull();
    assertThat(stored.leaseExpiresAt()).isNull();
    assertThat(stored.heartbeatAt()).isNull();
    assertThat(stored.progress()).isNull();
    assertThat(stored.lastError()).isNull();
    assertThat(stored.idempotencyKey()).isEqualTo("report-42");
    assertThat(stored.traceparent())
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(stored.metadata()).isEqualTo(Map.of("origin", "api", "user", "zoë"));
    assertThat(stored.timeout()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void enqueuedJobWithoutOptionalFieldsKeepsThemEmpty() {
    NewJob job = jobs.of("plain").build();
    enqueue(job);

    Job stored = find(job);
    assertThat(stored.idempotencyKey()).isNull();
    assertThat(stored.traceparent()).isNull();
    assertThat(stored.timeout()).isNull();
    assertThat(stored.metadata()).isEmpty();
    assertThat(stored.priority()).isZero();
    assertThat(stored.queue()).isEqualTo("default");
    assertThat(stored.tenant()).isEqualTo("default");
  }

  @Test
  void enqueueWithDelayIsDueThatLongAfterCreation() {
    NewJob job = jobs.of("delayed").delay(DELAY).build();
    Instant before = serverNow();
    enqueue(job);
    Instant after = serverNow();

    Job stored = find(job);
    assertTimeBetween("runAt", stored.runAt(), before.plus(DELAY), after.plus(DELAY));
    assertThat(Duration.between(stored.createdAt(), stored.runAt()))
        .isBetween(DELAY.minus(SLACK), DELAY.plus(SLACK));
  }

  @Test
  void enqueueWithExplicitRunAtKeepsIt() {
    Instant runAt = serverNow().plus(FUTURE).truncatedTo(ChronoUnit.MILLIS);
    NewJob job = jobs.of("scheduled").runAt(runAt).delay(Duration.ofDays(3)).build();
    enqueue(job);

    // runAt wins over delay.
    assertThat(Duration.between(runAt, find(job).runAt()).abs())
        .isLessThanOrEqualTo(Duration.ofMillis(1));
  }

  @Test
  void batchEnqueueReturnsResultsInRequestOrder() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batch.add(jobs.of("batch").payloadN(i).build());
    }
    // Request order differs from id order, so a backend that sorts by id would show.
    Collections.reverse(batch);
    Collections.swap(batch, 1, 4);

    List<EnqueueResult> results = backend.enqueue(new EnqueueRequest(batch)).results();

    assertThat(results).extracting(EnqueueResult::id).containsExactlyElementsOf(ids(batch));
    assertThat(results).allSatisfy(r -> assertThat(r.created()).isTrue());
    assertThat(results).allSatisfy(r -> assertThat(r.state()).isEqualTo(JobState.PENDING));
    for (NewJob job : batch) {
      assertSameJson(find(job).payload(), job.payload());
    }
  }

  @Test
  void aBatchOverManyProfilesKeepsEachJobsOwnFields() {
    // Backends may send what jobs of a batch share (type, queue, tenant, priority, schedule,
    // options) once per distinct combination: no job may take another combination's values.
    // Settings change in runs (as in a real bulk enqueue) and, every few jobs, for one job alone.
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      TestJobs.Builder b =
          jobs.of("type" + (i / 100 % 3))
              .queue("q" + (i / 300 % 2))
              .priority(i / 50 % 5)
              .maxAttempts(1 + i / 200 % 3);
      if (i % 7 == 0) {
        b.tenant("t7").idempotencyKey("key-" + i).metadata("n", Integer.toString(i));
      } else if (i % 13 == 0) {
        b.idempotencyKey("key-" + i, IdempotencyPolicy.window(Duration.ofMinutes(1 + i % 2)));
      } else if (i % 5 == 0) {
        // A key alone is not a setting: it must not split or end a run.
        b.idempotencyKey("key-" + i);
      }
      if (i % 11 == 0) {
        b.delay(FUTURE)
            .timeout(Duration.ofSeconds(1 + i % 4))
            .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0" + (i % 2));
      }
      batch.add(b.payloadN(i).build());
    }

    List<EnqueueResult> results = backend.enqueue(new EnqueueRequest(batch)).results();

    assertThat(results).extracting(EnqueueResult::id).containsExactlyElementsOf(ids(batch));
    assertThat(results).allSatisfy(r -> assertThat(r.created()).isTrue());
    for (NewJob sent : batch) {
      Job stored = find(sent);
      assertThat(stored.type()).isEqualTo(sent.type());
      assertThat(stored.queue()).isEqualTo(sent.queue());
      assertThat(stored.tenant()).isEqualTo(sent.tenant());
      assertThat(stored.priority()).isEqualTo(sent.priority());
      assertThat(stored.maxAttempts()).isEqualTo(sent.maxAttempts());
      assertSameJson(stored.payload(), sent.payload());
      assertThat(stored.idempotencyKey()).isEqualTo(sent.idempotencyKey());
      assertThat(stored.metadata()).isEqualTo(sent.metadata());
      assertThat(stored.timeout()).isEqualTo(sent.timeout());
      assertThat(stored.traceparent()).isEqualTo(sent.traceparent());
      assertThat(stored.runAt().isAfter(stored.createdAt().plus(Duration.ofMinutes(59))))
          .as("job %s is scheduled", sent.id())
          .isEqualTo(sent.delay().equals(FUTURE));
    }
  }

  @Test
  void batchWithAnIdempotencyConflictWritesNoneOfItsJobs() {
    NewJob holder = jobs.of("idem").idempotencyKey("k-1").payloadN(1).build();
    enqueue(holder);

    NewJob fresh = jobs.of("idem").payloadN(2).build();
    NewJob freshKeyed = jobs.of("idem").idempotencyKey("k-2").payloadN(3).build();
    NewJob conflicting = jobs.of("idem").idempotencyKey("k-1").payloadN(99).build();

    assertThatThrownBy(
            () -> backend.enqueue(new EnqueueRequest(List.of(fresh, freshKeyed, conflicting))))
        .isInstanceOf(IdempotencyConflictException.class);

    assertThat(findOptional(fresh)).isEmpty();
    assertThat(findOptional(freshKeyed)).isEmpty();
    assertThat(findOptional(conflicting)).isEmpty();
    assertThat(allJobs("default")).extracting(Job::id).containsExactly(holder.id());
    // The key k-2 was not taken by the failed batch.
    NewJob laterK2 = jobs.of("idem").idempotencyKey("k-2").payloadN(4).build();
    assertThat(enqueue(laterK2).created()).isTrue();
  }

  @Test
  void twoJobsWithOneKeyInOneBatchBehaveLikeSequentialEnqueues() {
    NewJob first = jobs.of("idem").idempotencyKey("same").payloadN(1).build();
    NewJob second = jobs.of("idem").idempotencyKey("same").payloadN(1).build();

    List<EnqueueResult> results =
        backend.enqueue(new EnqueueRequest(List.of(first, second))).results();

    assertThat(results)
        .containsExactly(
            new EnqueueResult(first.id(), true, JobState.PENDING),
            new EnqueueResult(first.id(), false, JobState.PENDING));
    assertThat(findOptional(second)).isEmpty();
  }

  @Test
  void twoJobsWithOneKeyAndDifferentPayloadsInOneBatchConflict() {
    NewJob first = jobs.of("idem").idempotencyKey("same").payloadN(1).build();
    NewJob second = jobs.of("idem").idempotencyKey("same").payloadN(2).build();

    assertThatThrownBy(() -> backend.enqueue(new EnqueueRequest(List.of(first, second))))
        .isInstanceOf(IdempotencyConflictException.class);

    assertThat(findOptional(first)).isEmpty();
    assertThat(findOptional(second)).isEmpty();
  }

  // ---------------------------------------------------------------- claim

  @Test
  void claimOnAnEmptyBackendReturnsNothing() {
    assertThat(claim("w1", 10, LONG_LEASE)).isEmpty();
  }

  @Test
  void claimTakesLowerPriorityFirstThenEarlierRunAtThenLowerId() {
    List<NewJob> expectedOrder = orderingFixture();

    List<UUID> claimed = new ArrayList<>();
    for (int i = 0; i < expectedOrder.size(); i++) {
      claimed.add(claimOne("w1", LONG_LEASE).id());
    }

    assertThat(claimed).containsExactlyElementsOf(ids(expectedOrder));
    assertThat(claim("w1", 1, LONG_LEASE)).isEmpty();
  }

  @Test
  void claimResponseListsJobsInClaimOrder() {
    List<NewJob> expectedOrder = orderingFixture();

    List<Job> claimed = claim("w1", expectedOrder.size(), LONG_LEASE);

    assertThat(claimed).extracting(Job::id).containsExactlyElementsOf(ids(expectedOrder));
  }

  /**
   * Five due jobs enqueued in reverse id order; returns them in the order a claim must take them.
   */
  private List<NewJob> orderingFixture() {
    Instant now = serverNow().truncatedTo(ChronoUnit.MILLIS);
    NewJob j1 = jobs.of("order").priority(0).runAt(now.minusSeconds(10)).build();
    NewJob j2 = jobs.of("order").priority(0).runAt(now.minusSeconds(20)).build();
    NewJob j3 = jobs.of("order").priority(-5).runAt(now.minusSeconds(5)).build();
    NewJob j4 = jobs.of("order").priority(0).runAt(now.minusSeconds(20)).build();
    NewJob j5 = jobs.of("order").priority(5).runAt(now.minusSeconds(60)).build();
    for (NewJob job : List.of(j5, j4, j3, j2, j1)) {
      enqueue(job);
    }
    return List.of(j3, j2, j4, j1, j5);
  }

  @Test
  void futureRunAtIsNotClaimableBeforeItIsDue() {
    NewJob job = jobs.of("scheduled").runAt(serverNow().plus(DELAY)).build();
    enqueue(job);

    assertThat(claim("w1", 10, LONG_LEASE)).isEmpty();
    assertThat(find(job).state()).isEqualTo(JobState.PENDING);

    fixture.passTime(DELAY);
    assertThat(claim("w1", 10, LONG_LEASE)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void delayedJobIsNotClaimableBeforeItsDelayPassed() {
    NewJob job = jobs.of("delayed").delay(DELAY).build();
    enqueue(job);

    assertThat(claim("w1", 10, LONG_LEASE)).isEmpty();

    fixture.passTime(DELAY);
    assertThat(claim("w1", 10, LONG_LEASE)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void dueJobsAreClaimedEvenWhenAnEarlierPriorityIsNotDueYet() {
    NewJob notDue = jobs.of("scheduled").priority(-10).delay(FUTURE).build();
    NewJob due = jobs.of("now").priority(10).build();
    enqueue(notDue);
    enqueue(due);

    assertThat(claim("w1", 10, LONG_LEASE)).extracting(Job::id).containsExactly(due.id());
  }

  @Test
  void claimStartsTheJobWithAFreshLease() {
    NewJob job = jobs.of("work").build();
    enqueue(job);

    Instant before = serverNow();
    Job claimed = claimOne("worker-7", SHORT_LEASE);
    Instant after = serverNow();

    assertThat(claimed.id()).isEqualTo(job.id());
    assertThat(claimed.state()).isEqualTo(JobState.RUNNING);
    assertThat(claimed.attempt()).isEqualTo(1);
    assertThat(claimed.leaseOwner()).isEqualTo("worker-7");
    assertThat(claimed.leaseToken()).isNotBlank();
    assertTimeBetween("startedAt", claimed.startedAt(), before, after);
    assertTimeBetween("heartbeatAt", claimed.heartbeatAt(), before, after);
    assertTimeBetween(
        "leaseExpiresAt",
        claimed.leaseExpiresAt(),
        before.plus(SHORT_LEASE),
        after.plus(SHORT_LEASE));
    assertThat(claimed.lease()).contains(new Lease(job.id(), 1, "worker-7", claimed.leaseToken()));
    assertThat(find(job)).isEqualTo(claimed);
  }

  @Test
  void eachClaimIssuesADifferentLeaseToken() {
    enqueue(jobs.of("work").build());
    enqueue(jobs.of("work").build());

    List<Job> claimed = claim("w1", 2, LONG_LEASE);
    Job again = claimed.get(0);
    finish(new Finish.Release(again.lease().orElseThrow()));
    Job reclaimed = claimOne("w1", LONG_LEASE);

    Set<String> tokens =
        Set.of(claimed.get(0).leaseToken(), claimed.get(1).leaseToken(), reclaimed.leaseToken());
    assertThat(tokens).hasSize(3);
  }

  @Test
  void claimRespectsLimitAndNeverTakesARunningJobAgain() {
    for (int i = 0; i < 5; i++) {
      enqueue(jobs.of("work").payloadN(i).build());
    }

    List<Job> first = claim("w1", 3, LONG_LEASE);
    List<Job> second = claim("w2", 3, LONG_LEASE);
    List<Job> third = claim("w3", 3, LONG_LEASE);

    assertThat(first).hasSize(3);
    assertThat(second).hasSize(2);
    assertThat(third).isEmpty();
    Set<UUID> all = new HashSet<>(ids(first));
    all.addAll(ids(second));
    assertThat(all).hasSize(5);
  }

  @Test
  void claimNeverReturnsTheSameJobToTwoWorkers() throws Exception {
    int total = 3000;
    int workers = 4;
    int batch = Math.min(500, backend.capabilities().maxBatchSize());
    Set<UUID> enqueued = new HashSet<>();
    List<NewJob> pending = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      NewJob job = jobs.of("race").payloadN(i).build();
      enqueued.add(job.id());
      pending.add(job);
      if (pending.size() == batch || i == total - 1) {
        backend.enqueue(new EnqueueRequest(pending));
        pending = new ArrayList<>();
      }
    }

    ConcurrentLinkedQueue<UUID> claimed = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(workers);
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      String workerId = "racer-" + w;
      tasks.add(
          () -> {
            start.await(10, TimeUnit.SECONDS);
            int mine = 0;
            List<Job> got;
            do {
              got = claim(workerId, 25, LONG_LEASE);
              got.forEach(j -> claimed.add(j.id()));
              mine += got.size();
            } while (!got.isEmpty());
            return mine;
          });
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // A worker may stop early on an empty answer while others hold rows; take any rest here.
    List<Job> rest;
    while (!(rest = claim("sweeper", 100, LONG_LEASE)).isEmpty()) {
      rest.forEach(j -> claimed.add(j.id()));
    }

    List<UUID> claimedList = new ArrayList<>(claimed);
    Map<UUID, Long> timesClaimed =
        claimedList.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    assertThat(timesClaimed.entrySet())
        .as("jobs claimed more than once")
        .filteredOn(e -> e.getValue() > 1)
        .isEmpty();
    assertThat(claimedList).hasSize(total);
    assertThat(timesClaimed.keySet()).isEqualTo(enqueued);
  }

  @Test
  void claimFiltersByQueueAndEmptyQueuesMeansAll() {
    NewJob a = jobs.of("work").queue("alpha").build();
    NewJob b = jobs.of("work").queue("beta").build();
    NewJob c = jobs.of("work").queue("gamma").build();
    enqueue(a);
    enqueue(b);
    enqueue(c);

    List<Job> fromAlphaGamma =
        backend
            .claim(claimRequest("w1", Set.of("alpha", "gamma"), Set.of(), Set.of(), null, 10))
            .jobs();
    assertThat(fromAlphaGamma).extracting(Job::id).containsExactlyInAnyOrder(a.id(), c.id());

    List<Job> fromAll =
        backend.claim(claimRequest("w1", Set.of(), Set.of(), Set.of(), null, 10)).jobs();
    assertThat(fromAll).extracting(Job::id).containsExactly(b.id());
  }

  @Test
  void claimWithIncludeTypesTakesOnlyThoseTypes() {
    NewJob mail = jobs.of("mail.send").build();
    NewJob report = jobs.of("report.render").build();
    NewJob thumb = jobs.of("image.thumb").build();
    enqueue(mail);
    enqueue(report);
    enqueue(thumb);

    List<Job> claimed =
        backend
            .claim(
                claimRequest(
                    "w1", Set.of(), Set.of("mail.send", "image.thumb"), Set.of(), null, 10))
            .jobs();

    assertThat(claimed).extracting(Job::id).containsExactlyInAnyOrder(mail.id(), thumb.id());
    assertThat(find(report).state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void claimWithExcludeTypesNeverTakesThem() {
    NewJob mail = jobs.of("mail.send").build();
    NewJob report = jobs.of("report.render").build();
    enqueue(mail);
    enqueue(report);

    List<Job> claimed =
        backend.claim(claimRequest("w1", Set.of(), Set.of(), Set.of("mail.send"), null, 10)).jobs();
    assertThat(claimed).extracting(Job::id).containsExactly(report.id());

    List<Job> includedButExcluded =
        backend
            .claim(claimRequest("w1", Set.of(), Set.of("mail.send"), Set.of("mail.send"), null, 10))
            .jobs();
    assertThat(includedButExcluded).isEmpty();
  }

  @Test
  void claimWithTenantTakesOnlyThatTenant() {
    NewJob acme = jobs.of("work").tenant("acme").build();
    NewJob globex = jobs.of("work").tenant("globex").build();
    enqueue(acme);
    enqueue(globex);

    List<Job> claimed =
        backend.claim(claimRequest("w1", Set.of(), Set.of(), Set.of(), "globex", 10)).jobs();
    assertThat(claimed).extracting(Job::id).containsExactly(globex.id());

    List<Job> anyTenant =
        backend.claim(claimRequest("w1", Set.of(), Set.of(), Set.of(), null, 10)).jobs();
    assertThat(anyTenant).extracting(Job::id).containsExactly(acme.id());
  }

  // ---------------------------------------------------------------- leases and rescue

  @Test
  void expiredLeaseIsRescuedAndOldOwnerCannotComplete() {
    NewJob job = jobs.of("work").maxAttempts(3).build();
    enqueue(job);
    Lease oldLease = claimOne("w1", SHORT_LEASE).lease().orElseThrow();

    fixture.passTime(PAST_SHORT_LEASE);
    Instant before = serverNow();
    RescueResult rescued = backend.rescue(new RescueRequest(100));
    Instant after = serverNow();

    assertThat(rescued.retried()).containsExactly(job.id());
    assertThat(rescued.failed()).isEmpty();
    Job pending = find(job);
    assertThat(pending.state()).isEqualTo(JobState.PENDING);
    assertThat(pending.attempt()).isEqualTo(1);
    assertThat(pending.lastError()).isNotNull();
    assertThat(pending.lastError().message()).containsIgnoringCase("lease expired");
    assertLeaseCleared(pending);
    assertTimeBetween("runAt", pending.runAt(), before, after);

    Job second = claimOne("w2", LONG_LEASE);
    assertThat(second.id()).isEqualTo(job.id());
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.leaseToken()).isNotEqualTo(oldLease.token());

    FencedResult late = finish(new Finish.Succeed(oldLease));
    assertThat(late.lost()).containsExactly(job.id());
    assertThat(late.applied()).isEmpty();
    assertThat(find(job)).isEqualTo(second);

    assertThat(finish(new Finish.Succeed(second.lease().orElseThrow())).applied())
        .containsExactly(job.id());
    assertThat(find(job).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void afterRescueEveryFencedCallOfTheOldOwnerReportsTheLeaseLost() {
    NewJob job = jobs.of("work").maxAttempts(3).build();
    enqueue(job);
    Lease oldLease = claimOne("w1", SHORT_LEASE).lease().orElseThrow();
    fixture.passTime(PAST_SHORT_LEASE);
    assertThat(backend.rescue(new RescueRequest(100)).retried()).containsExactly(job.id());
    Job rescued = find(job);

    List<Finish> finishes =
        List.of(
            new Finish.Succeed(oldLease),
            new Finish.Retry(oldLease, JobError.of("late"), Duration.ZERO),
            new Finish.Fail(oldLease, JobError.of("late")),
            new Finish.Snooze(oldLease, Duration.ZERO),
            new Finish.Cancel(oldLease, "late"),
            new Finish.Release(oldLease));
    for (Finish f : finishes) {
      FencedResult result = finish(f);
      assertThat(result.lost()).as(f.getClass().getSimpleName()).containsExactly(job.id());
      assertThat(result.applied()).as(f.getClass().getSimpleName()).isEmpty();
    }
    FencedResult heartbeat = backend.heartbeat(new HeartbeatRequest(List.of(oldLease), LONG_LEASE));
    assertThat(heartbeat.lost()).containsExactly(job.id());
    FencedResult progress = progress(oldLease, new JobProgress(50, "late"));
    assertThat(progress.lost()).containsExactly(job.id());

    assertThat(find(job)).isEqualTo(rescued);
  }

  @Test
  void rescueWithoutAttemptsLeftFailsTheJob() {
    NewJob job = jobs.of("work").maxAttempts(1).build();
    enqueue(job);
    Lease lease = claimOne("w1", SHORT_LEASE).lease().orElseThrow();

    fixture.passTime(PAST_SHORT_LEASE);
    Instant before = serverNow();
    RescueResult rescued = backend.rescue(new RescueRequest(100));
    Instant after = serverNow();

    assertThat(rescued.failed()).containsExactly(job.id());
    assertThat(rescued.retried()).isEmpty();
    Job failed = find(job);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.lastError().message()).containsIgnoringCase("lease expired");
    assertTimeBetween("finishedAt", failed.finishedAt(), before, after);
    assertLeaseCleared(failed);
    assertThat(finish(new Finish.Succeed(lease)).lost()).containsExactly(job.id());
    assertThat(find(job)).isEqualTo(failed);
  }

  @Test
  void rescueLeavesUnexpiredLeasesAlone() {
    NewJob shortLived = jobs.of("work").build();
    NewJob longLived = jobs.of("work").build();
    enqueue(shortLived);
    enqueue(longLived);
    claimOne("w1", SHORT_LEASE);
    Job held = claimOne("w2", LONG_LEASE);
    assertThat(held.id()).isEqualTo(longLived.id());

    fixture.passTime(PAST_SHORT_LEASE);
    RescueResult rescued = backend.rescue(new RescueRequest(100));

    assertThat(rescued.retried()).containsExactly(shortLived.id());
    assertThat(find(longLived)).isEqualTo(held);
  }

  @Test
  void rescueRespectsLimit() {
    for (int i = 0; i < 3; i++) {
      enqueue(jobs.of("work").payloadN(i).build());
    }
    assertThat(claim("w1", 3, SHORT_LEASE)).hasSize(3);
    fixture.passTime(PAST_SHORT_LEASE);

    assertThat(backend.rescue(new RescueRequest(2)).total()).isEqualTo(2);
    assertThat(backend.rescue(new RescueRequest(2)).total()).isEqualTo(1);
    assertThat(backend.rescue(new RescueRequest(2)).total()).isZero();
  }

  @Test
  void heartbeatExtendsTheLease() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Duration lease = Duration.ofMillis(400);
    Job claimed = claimOne("w1", lease);

    fixture.passTime(Duration.ofMillis(200));
    Instant before = serverNow();
    FencedResult beat =
        backend.heartbeat(new HeartbeatRequest(List.of(claimed.lease().orElseThrow()), LONG_LEASE));
    Instant after = serverNow();

    assertThat(beat.applied()).containsExactly(job.id());
    assertThat(beat.lost()).isEmpty();
    Job extended = find(job);
    assertTimeBetween(
        "leaseExpiresAt",
        extended.leaseExpiresAt(),
        before.plus(LONG_LEASE),
        after.plus(LONG_LEASE));
    assertTimeBetween("heartbeatAt", extended.heartbeatAt(), before, after);
    assertThat(extended.heartbeatAt()).isAfter(claimed.startedAt());
    assertThat(extended.leaseToken()).isEqualTo(claimed.leaseToken());

    // Past the original expiry: the job must not be rescued.
    fixture.passTime(Duration.ofMillis(300));
    assertThat(backend.rescue(new RescueRequest(100)).total()).isZero();
    assertThat(find(job).state()).isEqualTo(JobState.RUNNING);
    assertThat(find(job).leaseToken()).isEqualTo(claimed.leaseToken());
  }

  @Test
  void heartbeatReportsLeasesNoLongerHeldAsLost() {
    NewJob held = jobs.of("work").build();
    NewJob cancelled = jobs.of("work").build();
    enqueue(held);
    enqueue(cancelled);
    List<Job> claimed = claim("w1", 2, LONG_LEASE);
    backend.cancel(new CancelRequest(ref(cancelled), "stop"));
    Job cancelledBefore = find(cancelled);

    FencedResult beat =
        backend.heartbeat(
            new HeartbeatRequest(
                claimed.stream().map(j -> j.lease().orElseThrow()).collect(Collectors.toList()),
                LONG_LEASE));

    assertThat(beat.applied()).containsExactly(held.id());
    assertThat(beat.lost()).containsExactly(cancelled.id());
    assertThat(find(cancelled)).isEqualTo(cancelledBefore);
  }

  @Test
  void fencedCallsWithAWrongTokenChangeNothing() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Job claimed = claimOne("w1", LONG_LEASE);
    Lease forged = new Lease(job.id(), 1, "w1", "not-the-token");

    assertThat(finish(new Finish.Succeed(forged)).lost()).containsExactly(job.id());
    assertThat(finish(new Finish.Fail(forged, JobError.of("x"))).lost()).containsExactly(job.id());
    assertThat(backend.heartbeat(new HeartbeatRequest(List.of(forged), LONG_LEASE)).lost())
        .containsExactly(job.id());
    assertThat(progress(forged, new JobProgress(10, "x")).lost()).containsExactly(job.id());

    assertThat(find(job)).isEqualTo(claimed);
  }

  @Test
  void fencedCallsForAnUnknownJobReportTheLeaseLost() {
    Lease unknown = new Lease(jobs.nextId(), 1, "w1", "token");

    assertThat(finish(new Finish.Succeed(unknown)).lost()).containsExactly(unknown.jobId());
    assertThat(backend.heartbeat(new HeartbeatRequest(List.of(unknown), LONG_LEASE)).lost())
        .containsExactly(unknown.jobId());
  }

  // ---------------------------------------------------------------- finish

  @Test
  void succeedCompletesTheJobAndClearsTheLease() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Job claimed = claimOne("w1", LONG_LEASE);

    Instant before = serverNow();
    FencedResult result = finish(new Finish.Succeed(claimed.lease().orElseThrow()));
    Instant after = serverNow();

    assertThat(result.applied()).containsExactly(job.id());
    assertThat(result.lost()).isEmpty();
    Job done = find(job);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempt()).isEqualTo(1);
    assertTimeBetween("finishedAt", done.finishedAt(), before, after);
    assertThat(done.lastError()).isNull();
    assertLeaseCleared(done);
  }

  @Test
  void retryKeepsTheAttemptAndSchedulesTheJobAfterTheDelay() {
    NewJob job = jobs.of("work").maxAttempts(5).build();
    enqueue(job);
    Job claimed = claimOne("w1", LONG_LEASE);
    JobError error = new JobError("temporary glitch", "at dev.example.Handler.run(Handler.java:7)");

    Instant before = serverNow();
    FencedResult result = finish(new Finish.Retry(claimed.lease().orElseThrow(), error, DELAY));
    Instant after = serverNow();

    assertThat(result.applied()).containsExactly(job.id());
    Job retrying = find(job);
    assertThat(retrying.state()).isEqualTo(JobState.PENDING);
    assertThat(retrying.attempt()).isEqualTo(1);
    assertThat(retrying.lastError()).isEqualTo(error);
    assertThat(retrying.finishedAt()).isNull();
    assertTimeBetween("runAt", retrying.runAt(), before.plus(DELAY), after.plus(DELAY));
    assertLeaseCleared(retrying);
    assertThat(claim("w1", 1, LONG_LEASE)).isEmpty();

    fixture.passTime(DELAY);
    Job again = claimOne("w2", LONG_LEASE);
    assertThat(again.id()).isEqualTo(job.id());
    assertThat(again.attempt()).isEqualTo(2);
  }

  @Test
  void failIsTerminalAndKeepsTheError() {
    NewJob job = jobs.of("work").maxAttempts(5).build();
    enqueue(job);
    Job claimed = claimOne("w1", LONG_LEASE);
    JobError error = new JobError("permanent: bad input", "stack");

    Instant before = serverNow();
    FencedResult result = finish(new Finish.Fail(claimed.lease().orElseThrow(), error));
    Instant after = serverNow();

    assertThat(result.applied()).containsExactly(job.id());
    Job failed = find(job);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.lastError()).isEqualTo(error);
    assertTimeBetween("finishedAt", failed.finishedAt(), before, after);
    assertLeaseCleared(failed);
    assertThat(claim("w1", 1, LONG_LEASE)).isEmpty();
  }

  @Test
  void snoozeGivesTheAttemptBackAndSchedulesTheJobAfterTheDelay() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Job claimed = claimOne("w1", LONG_LEASE);

    Instant before = serverNow();
    FencedResult result = finish(new Finish.Snooze(claimed.lease().orElseThrow(), DELAY));
    Instant after = serverNow();

    assertThat(result.applied()).containsExactly(job.id());
    Job snoozed = find(job);
    assertThat(snoozed.state()).isEqualTo(JobState.PENDING);
    assertThat(snoozed.attempt()).isZero();
    assertThat(snoozed.lastError()).isNull();
    assertTimeBetween("runAt", snoozed.runAt(), before.plus(DELAY), after.plus(DELAY));
    assertLeaseCleared(snoozed);
    assertThat(claim("w1", 1, LONG_LEASE)).isEmpty();

    fixture.passTime(DELAY);
    assertThat(claimOne("w1", LONG_LEASE).attempt()).isEqualTo(1);
  }

  @Test
  void releaseGivesTheAttemptBackAndKeepsRunAt() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Instant runAt = find(job).runAt();
    Job claimed = claimOne("w1", LONG_LEASE);

    FencedResult result = finish(new Finish.Release(claimed.lease().orElseThrow()));

    assertThat(result.applied()).containsExactly(job.id());
    Job released = find(job);
    assertThat(released.state()).isEqualTo(JobState.PENDING);
    assertThat(released.attempt()).isZero();
    assertThat(released.runAt()).isEqualTo(runAt);
    assertLeaseCleared(released);
    Job again = claimOne("w2", LONG_LEASE);
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.leaseOwner()).isEqualTo("w2");
  }

  @Test
  void cancelByHandlerIsTerminalWithTheReason() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Job claimed = claimOne("w1", LONG_LEASE);

    Instant before = serverNow();
    FencedResult result =
        finish(new Finish.Cancel(claimed.lease().orElseThrow(), "customer closed the account"));
    Instant after = serverNow();

    assertThat(result.applied()).containsExactly(job.id());
    Job cancelled = find(job);
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.lastError().message()).isEqualTo("customer closed the account");
    assertTimeBetween("finishedAt", cancelled.finishedAt(), before, after);
    assertLeaseCleared(cancelled);
  }

  @Test
  void batchFinishAppliesOnlyTheLeasesStillHeld() {
    NewJob a = jobs.of("work").build();
    NewJob b = jobs.of("work").build();
    NewJob c = jobs.of("work").build();
    enqueue(a);
    enqueue(b);
    enqueue(c);
    Map<UUID, Lease> leases = new HashMap<>();
    claim("w1", 3, LONG_LEASE).forEach(j -> leases.put(j.id(), j.lease().orElseThrow()));
    assertThat(leases).hasSize(3);
    backend.cancel(new CancelRequest(ref(b), "operator"));

    FencedResult result =
        backend.finish(
            new FinishRequest(
                List.of(
                    new Finish.Succeed(leases.get(a.id())),
                    new Finish.Succeed(leases.get(b.id())),
                    new Finish.Fail(leases.get(c.id()), JobError.of("broken")))));

    assertThat(result.applied()).containsExactlyInAnyOrder(a.id(), c.id());
    assertThat(result.lost()).containsExactly(b.id());
    assertThat(find(a).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(find(b).state()).isEqualTo(JobState.CANCELLED);
    assertThat(find(c).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void finishingTwiceReportsTheSecondLost() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Lease lease = claimOne("w1", LONG_LEASE).lease().orElseThrow();
    assertThat(finish(new Finish.Succeed(lease)).applied()).containsExactly(job.id());
    Job done = find(job);

    assertThat(finish(new Finish.Succeed(lease)).lost()).containsExactly(job.id());
    assertThat(finish(new Finish.Fail(lease, JobError.of("x"))).lost()).containsExactly(job.id());
    assertThat(finish(new Finish.Release(lease)).lost()).containsExactly(job.id());

    assertThat(find(job)).isEqualTo(done);
  }

  @Test
  void retriesUntilMaxAttemptsThenFailsWithTheLastError() {
    int maxAttempts = 3;
    NewJob job = jobs.of("flaky").maxAttempts(maxAttempts).build();
    enqueue(job);

    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Job running = claimOne("w1", LONG_LEASE);
      assertThat(running.attempt()).isEqualTo(attempt);
      Lease lease = running.lease().orElseThrow();
      JobError error = JobError.of("boom " + attempt);
      // Core's decision, as the engine makes it: retry while attempts are left, else fail.
      Finish finish =
          attempt < running.maxAttempts()
              ? new Finish.Retry(lease, error, Duration.ZERO)
              : new Finish.Fail(lease, error);
      assertThat(finish(finish).applied()).containsExactly(job.id());
      if (attempt < maxAttempts) {
        assertThat(find(job).state()).isEqualTo(JobState.PENDING);
        assertThat(find(job).lastError()).isEqualTo(error);
      }
    }

    Job failed = find(job);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(maxAttempts);
    assertThat(failed.lastError().message()).isEqualTo("boom 3");
    assertThat(failed.finishedAt()).isNotNull();
    assertThat(claim("w1", 1, LONG_LEASE)).isEmpty();
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void cancelOfPendingJobMakesItCancelled() {
    NewJob job = jobs.of("work").build();
    enqueue(job);

    Instant before = serverNow();
    ChangeResult result = backend.cancel(new CancelRequest(ref(job), "not needed"));
    Instant after = serverNow();

    assertThat(result.changed()).isTrue();
    Job cancelled = result.job().orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertTimeBetween("finishedAt", cancelled.finishedAt(), before, after);
    assertThat(find(job)).isEqualTo(cancelled);
    assertThat(claim("w1", 1, LONG_LEASE)).isEmpty();

    ChangeResult again = backend.cancel(new CancelRequest(ref(job), "twice"));
    assertThat(again.changed()).isFalse();
    assertThat(again.job()).contains(cancelled);
  }

  @Test
  void cancelOfRunningJobFencesOutItsWorker() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Lease lease = claimOne("w1", LONG_LEASE).lease().orElseThrow();

    ChangeResult result = backend.cancel(new CancelRequest(ref(job), "operator"));

    assertThat(result.changed()).isTrue();
    Job cancelled = find(job);
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.finishedAt()).isNotNull();
    assertLeaseCleared(cancelled);
    assertThat(backend.heartbeat(new HeartbeatRequest(List.of(lease), LONG_LEASE)).lost())
        .containsExactly(job.id());
    assertThat(progress(lease, new JobProgress(90, "almost")).lost()).containsExactly(job.id());
    assertThat(finish(new Finish.Succeed(lease)).lost()).containsExactly(job.id());
    assertThat(find(job)).isEqualTo(cancelled);
  }

  @Test
  void cancelOfTerminalJobChangesNothing() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    finish(new Finish.Succeed(claimOne("w1", LONG_LEASE).lease().orElseThrow()));
    Job done = find(job);

    ChangeResult result = backend.cancel(new CancelRequest(ref(job), "too late"));

    assertThat(result.changed()).isFalse();
    assertThat(result.job()).contains(done);
    assertThat(find(job)).isEqualTo(done);
  }

  @Test
  void cancelInAnotherTenantIsNotFound() {
    NewJob job = jobs.of("work").tenant("acme").build();
    enqueue(job);
    Job before = find(job);

    ChangeResult result = backend.cancel(new CancelRequest(new JobRef("globex", job.id()), "x"));

    assertThat(result.job()).isEmpty();
    assertThat(result.changed()).isFalse();
    assertThat(find(job)).isEqualTo(before);
    assertThat(backend.cancel(new CancelRequest(new JobRef("acme", jobs.nextId()), "x")).job())
        .isEmpty();
  }

  // ---------------------------------------------------------------- re-drive

  @Test
  void redriveMakesAFailedJobPendingWithAttemptZero() {
    NewJob job = jobs.of("work").maxAttempts(1).build();
    enqueue(job);
    Lease lease = claimOne("w1", LONG_LEASE).lease().orElseThrow();
    JobError error = JobError.of("downstream was down");
    finish(new Finish.Fail(lease, error));

    Instant before = serverNow();
    ChangeResult result = backend.redrive(new RedriveRequest(ref(job)));
    Instant after = serverNow();

    assertThat(result.changed()).isTrue();
    Job redriven = find(job);
    assertThat(result.job()).contains(redriven);
    assertThat(redriven.state()).isEqualTo(JobState.PENDING);
    assertThat(redriven.attempt()).isZero();
    assertThat(redriven.finishedAt()).isNull();
    assertThat(redriven.lastError()).isEqualTo(error);
    assertTimeBetween("runAt", redriven.runAt(), before, after);
    assertThat(claimOne("w2", LONG_LEASE).attempt()).isEqualTo(1);
  }

  @Test
  void redriveLeavesJobsThatAreNotFailedUnchanged() {
    NewJob pending = jobs.of("pending").build();
    NewJob running = jobs.of("running").build();
    NewJob succeeded = jobs.of("succeeded").build();
    NewJob cancelled = jobs.of("cancelled").build();
    for (NewJob job : List.of(pending, running, succeeded, cancelled)) {
      enqueue(job);
    }
    claimType("running", LONG_LEASE);
    finish(new Finish.Succeed(claimType("succeeded", LONG_LEASE).lease().orElseThrow()));
    backend.cancel(new CancelRequest(ref(cancelled), "x"));

    for (NewJob job : List.of(pending, running, succeeded, cancelled)) {
      Job before = find(job);
      ChangeResult result = backend.redrive(new RedriveRequest(ref(job)));
      assertThat(result.changed()).as(job.type()).isFalse();
      assertThat(result.job()).as(job.type()).contains(before);
      assertThat(find(job)).as(job.type()).isEqualTo(before);
    }
  }

  @Test
  void redriveInAnotherTenantIsNotFound() {
    NewJob job = jobs.of("work").tenant("acme").maxAttempts(1).build();
    enqueue(job);
    finish(new Finish.Fail(claimOne("w1", LONG_LEASE).lease().orElseThrow(), JobError.of("x")));

    ChangeResult result = backend.redrive(new RedriveRequest(new JobRef("globex", job.id())));

    assertThat(result.job()).isEmpty();
    assertThat(result.changed()).isFalse();
    assertThat(find(job).state()).isEqualTo(JobState.FAILED);
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void sameKeyWhilePendingReturnsTheExistingJob() {
    NewJob first = jobs.of("idem").idempotencyKey("order-1").build();
    NewJob second = jobs.of("idem").idempotencyKey("order-1").build();

    assertThat(enqueue(first).created()).isTrue();
    EnqueueResult again = enqueue(second);

    assertThat(again).isEqualTo(new EnqueueResult(first.id(), false, JobState.PENDING));
    assertThat(findOptional(second)).isEmpty();
    assertThat(allJobs("default")).hasSize(1);
  }

  @Test
  void sameKeyWhileRunningReturnsTheExistingJob() {
    NewJob first = jobs.of("idem").idempotencyKey("order-1").build();
    enqueue(first);
    claimOne("w1", LONG_LEASE);

    EnqueueResult again = enqueue(jobs.of("idem").idempotencyKey("order-1").build());

    assertThat(again).isEqualTo(new EnqueueResult(first.id(), false, JobState.RUNNING));
    assertThat(allJobs("default")).hasSize(1);
  }

  @Test
  void concurrentEnqueuesOfOneKeyCreateExactlyOneJob() throws Exception {
    int threads = 16;
    // Several keys in turn, every thread racing on each, so a narrow race window still shows.
    int keys = 25;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Callable<List<EnqueueResult>>> tasks = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      List<NewJob> mine = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        mine.add(
            jobs.of("idem")
                .idempotencyKey("checkout-" + k)
                .payload("{\"cart\":" + k + "}")
                .build());
      }
      tasks.add(
          () -> {
            start.await(10, TimeUnit.SECONDS);
            List<EnqueueResult> results = new ArrayList<>();
            for (NewJob job : mine) {
              results.add(enqueue(job));
            }
            return results;
          });
    }
    List<List<EnqueueResult>> perThread = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Future<List<EnqueueResult>> f : pool.invokeAll(tasks)) {
        perThread.add(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    Set<UUID> winners = new HashSet<>();
    for (int k = 0; k < keys; k++) {
      List<EnqueueResult> forKey = new ArrayList<>();
      for (List<EnqueueResult> results : perThread) {
        forKey.add(results.get(k));
      }
      assertThat(forKey).as("key checkout-" + k).filteredOn(EnqueueResult::created).hasSize(1);
      UUID winner = forKey.stream().filter(EnqueueResult::created).findFirst().orElseThrow().id();
      assertThat(forKey).extracting(EnqueueResult::id).as("key checkout-" + k).containsOnly(winner);
      winners.add(winner);
    }
    assertThat(allJobs("default")).extracting(Job::id).containsExactlyInAnyOrderElementsOf(winners);
  }

  @Test
  void sameKeyWithADifferentPayloadIsAConflictAndWritesNothing() {
    NewJob first = jobs.of("idem").tenant("acme").idempotencyKey("k").payloadN(1).build();
    enqueue(first);
    Job before = find(first);
    NewJob second = jobs.of("idem").tenant("acme").idempotencyKey("k").payloadN(2).build();

    assertThatThrownBy(() -> enqueue(second))
        .isInstanceOfSatisfying(
            IdempotencyConflictException.class,
            e -> {
              assertThat(e.existingJobId()).isEqualTo(first.id());
              assertThat(e.idempotencyKey()).isEqualTo("k");
              assertThat(e.tenant()).isEqualTo("acme");
            });

    assertThat(findOptional(second)).isEmpty();
    assertThat(find(first)).isEqualTo(before);
  }

  @Test
  void keyIsFreeAgainAfterTheJobFinishedUnderWhileActive() {
    NewJob first = jobs.of("idem").idempotencyKey("k").payloadN(1).build();
    enqueue(first);
    finish(new Finish.Succeed(claimOne("w1", LONG_LEASE).lease().orElseThrow()));

    // A different payload is no conflict any more: the key is free.
    NewJob second = jobs.of("idem").idempotencyKey("k").payloadN(2).build();
    assertThat(enqueue(second)).isEqualTo(new EnqueueResult(second.id(), true, JobState.PENDING));

    backend.cancel(new CancelRequest(ref(second), "x"));
    NewJob third = jobs.of("idem").idempotencyKey("k").payloadN(3).build();
    assertThat(enqueue(third).created()).isTrue();
    assertThat(allJobs("default")).hasSize(3);
  }

  @Test
  void windowPolicyReturnsAFinishedJobWithinTheWindow() {
    IdempotencyPolicy window = IdempotencyPolicy.window(Duration.ofHours(1));
    NewJob first = jobs.of("idem").idempotencyKey("k", window).payloadN(1).build();
    enqueue(first);
    finish(new Finish.Succeed(claimOne("w1", LONG_LEASE).lease().orElseThrow()));

    EnqueueResult again = enqueue(jobs.of("idem").idempotencyKey("k", window).payloadN(1).build());
    assertThat(again).isEqualTo(new EnqueueResult(first.id(), false, JobState.SUCCEEDED));

    NewJob different = jobs.of("idem").idempotencyKey("k", window).payloadN(2).build();
    assertThatThrownBy(() -> enqueue(different)).isInstanceOf(IdempotencyConflictException.class);
    assertThat(allJobs("default")).hasSize(1);
  }

  @Test
  void windowPolicyFreesTheKeyAfterTheWindow() {
    IdempotencyPolicy window = IdempotencyPolicy.window(Duration.ofMillis(300));
    NewJob first = jobs.of("idem").idempotencyKey("k", window).payloadN(1).build();
    enqueue(first);
    finish(new Finish.Succeed(claimOne("w1", LONG_LEASE).lease().orElseThrow()));

    fixture.passTime(Duration.ofMillis(400));
    NewJob second = jobs.of("idem").idempotencyKey("k", window).payloadN(1).build();

    assertThat(enqueue(second)).isEqualTo(new EnqueueResult(second.id(), true, JobState.PENDING));
  }

  @Test
  void oneKeyInTwoTenantsMakesTwoJobs() {
    NewJob acme = jobs.of("idem").tenant("acme").idempotencyKey("shared").build();
    NewJob globex = jobs.of("idem").tenant("globex").idempotencyKey("shared").build();

    assertThat(enqueue(acme).created()).isTrue();
    assertThat(enqueue(globex)).isEqualTo(new EnqueueResult(globex.id(), true, JobState.PENDING));
    assertThat(find(acme).tenant()).isEqualTo("acme");
    assertThat(find(globex).tenant()).isEqualTo("globex");
  }

  // ---------------------------------------------------------------- find, list, tenants

  @Test
  void findOfAnUnknownIdReturnsNothing() {
    assertThat(backend.find(new JobRef("default", jobs.nextId()))).isEmpty();
  }

  @Test
  void findInAnotherTenantReturnsNothing() {
    NewJob job = jobs.of("secret").tenant("acme").build();
    enqueue(job);

    assertThat(backend.find(new JobRef("globex", job.id()))).isEmpty();
    assertThat(backend.find(new JobRef("acme", job.id()))).isPresent();
  }

  @Test
  void listNeverReturnsAnotherTenantsJobs() {
    NewJob acme = jobs.of("work").tenant("acme").build();
    NewJob globex = jobs.of("work").tenant("globex").build();
    enqueue(acme);
    enqueue(globex);

    assertThat(allJobs("acme")).extracting(Job::id).containsExactly(acme.id());
    assertThat(allJobs("globex")).extracting(Job::id).containsExactly(globex.id());
    assertThat(allJobs("initech")).isEmpty();
  }

  @Test
  void listPagesThroughJobsInIdOrder() {
    List<UUID> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      NewJob job = jobs.of("page").tenant("pages").payloadN(i).build();
      expected.add(job.id());
      // Noise in another tenant between the pages' jobs.
      enqueue(jobs.of("page").tenant("noise").build());
      enqueue(job);
    }

    JobPage first = backend.list(JobQuery.tenant("pages").withLimit(3));
    JobPage second = backend.list(JobQuery.tenant("pages").withLimit(3).withAfter(next(first)));
    JobPage third = backend.list(JobQuery.tenant("pages").withLimit(3).withAfter(next(second)));

    assertThat(first.jobs()).extracting(Job::id).containsExactlyElementsOf(expected.subList(0, 3));
    assertThat(first.next()).contains(expected.get(2));
    assertThat(second.jobs()).extracting(Job::id).containsExactlyElementsOf(expected.subList(3, 6));
    assertThat(third.jobs()).extracting(Job::id).containsExactly(expected.get(6));
    assertThat(third.next()).isEmpty();
  }

  @Test
  void listEndsWithAnEmptyPageWhenTheLastPageWasFull() {
    for (int i = 0; i < 4; i++) {
      enqueue(jobs.of("page").payloadN(i).build());
    }

    JobPage first = backend.list(JobQuery.tenant("default").withLimit(2));
    JobPage second = backend.list(JobQuery.tenant("default").withLimit(2).withAfter(next(first)));
    JobPage third = backend.list(JobQuery.tenant("default").withLimit(2).withAfter(next(second)));

    assertThat(first.jobs()).hasSize(2);
    assertThat(second.jobs()).hasSize(2);
    assertThat(second.next()).isPresent();
    assertThat(third.jobs()).isEmpty();
    assertThat(third.next()).isEmpty();
  }

  @Test
  void listPagingIsStableWhileJobsChangeState() {
    List<UUID> expected = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      NewJob job = jobs.of("page").payloadN(i).build();
      expected.add(job.id());
      enqueue(job);
    }
    JobPage first = backend.list(JobQuery.tenant("default").withLimit(3));

    // Jobs on both sides of the cursor change state between the pages.
    List<Job> claimed = claim("w1", 4, LONG_LEASE);
    finish(new Finish.Succeed(claimed.get(0).lease().orElseThrow()));
    finish(new Finish.Snooze(claimed.get(3).lease().orElseThrow(), FUTURE));
    backend.cancel(new CancelRequest(new JobRef("default", expected.get(5)), "x"));
    JobPage second = backend.list(JobQuery.tenant("default").withLimit(3).withAfter(next(first)));

    List<UUID> seen = new ArrayList<>(ids(first.jobs()));
    seen.addAll(ids(second.jobs()));
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void listFiltersByStateTypeAndQueue() {
    NewJob a1 = jobs.of("a").queue("q1").build();
    NewJob a2 = jobs.of("a").queue("q2").build();
    NewJob b1 = jobs.of("b").queue("q1").build();
    NewJob b2 = jobs.of("b").queue("q2").build();
    for (NewJob job : List.of(a1, a2, b1, b2)) {
      enqueue(job);
    }
    Job runningB1 =
        backend
            .claim(claimRequest("w1", Set.of("q1"), Set.of("b"), Set.of(), null, 1))
            .jobs()
            .get(0);
    assertThat(runningB1.id()).isEqualTo(b1.id());

    JobQuery all = JobQuery.tenant("default");
    assertThat(backend.list(all.withStates(JobState.RUNNING)).jobs())
        .extracting(Job::id)
        .containsExactly(b1.id());
    assertThat(backend.list(all.withStates(JobState.PENDING, JobState.RUNNING)).jobs())
        .extracting(Job::id)
        .containsExactly(a1.id(), a2.id(), b1.id(), b2.id());
    assertThat(backend.list(all.withType("a")).jobs())
        .extracting(Job::id)
        .containsExactly(a1.id(), a2.id());
    assertThat(backend.list(all.withQueue("q2")).jobs())
        .extracting(Job::id)
        .containsExactly(a2.id(), b2.id());
    assertThat(backend.list(all.withStates(JobState.PENDING).withType("b").withQueue("q2")).jobs())
        .extracting(Job::id)
        .containsExactly(b2.id());
    assertThat(backend.list(all.withStates(JobState.FAILED)).jobs()).isEmpty();
  }

  @Test
  void listOfSeveralStatesPagesInIdOrderAcrossThem() {
    // Eight jobs in enqueue (id) order, left in the five states interleaved; a filter on four of
    // them, read two at a time, must give the matching jobs once each, in id order.
    List<NewJob> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      NewJob job = jobs.of("mix").payloadN(i).build();
      all.add(job);
      enqueue(job);
    }
    List<Job> claimed = claim("w1", 6, LONG_LEASE);
    assertThat(ids(claimed)).containsExactlyElementsOf(ids(all.subList(0, 6)));
    finish(new Finish.Succeed(claimed.get(0).lease().orElseThrow())); // 0 succeeded
    finish(new Finish.Fail(claimed.get(1).lease().orElseThrow(), JobError.of("x"))); // 1 failed
    // 2 stays running
    finish(new Finish.Cancel(claimed.get(3).lease().orElseThrow(), "no")); // 3 cancelled
    finish(new Finish.Succeed(claimed.get(4).lease().orElseThrow())); // 4 succeeded
    finish(new Finish.Fail(claimed.get(5).lease().orElseThrow(), JobError.of("y"))); // 5 failed
    // 6 and 7 stay pending

    JobQuery query =
        JobQuery.tenant("default")
            .withStates(JobState.FAILED, JobState.PENDING, JobState.SUCCEEDED, JobState.CANCELLED)
            .withLimit(2);
    List<UUID> seen = new ArrayList<>();
    JobPage page = backend.list(query);
    int pages = 1;
    seen.addAll(ids(page.jobs()));
    while (page.next().isPresent()) {
      page = backend.list(query.withAfter(page.next().get()));
      seen.addAll(ids(page.jobs()));
      assertThat(++pages).as("pages").isLessThanOrEqualTo(5);
    }
    List<UUID> expected = new ArrayList<>();
    for (int i : new int[] {0, 1, 3, 4, 5, 6, 7}) {
      expected.add(all.get(i).id());
    }
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(backend.list(JobQuery.tenant("default").withStates(JobState.RUNNING)).jobs())
        .extracting(Job::id)
        .containsExactly(all.get(2).id());
    assertThat(
            backend
                .list(
                    JobQuery.tenant("default")
                        .withStates(JobState.FAILED)
                        .withAfter(all.get(1).id()))
                .jobs())
        .extracting(Job::id)
        .containsExactly(all.get(5).id());
  }

  // ---------------------------------------------------------------- stats

  @Test
  void statsCountJobsByStateAndByType() {
    enqueue(jobs.of("a").tenant("stats").build());
    enqueue(jobs.of("a").tenant("stats").build());
    enqueue(jobs.of("b").tenant("stats").build());
    claimType("b", LONG_LEASE);
    enqueue(jobs.of("b").tenant("stats").build());
    finish(new Finish.Succeed(claimType("b", LONG_LEASE).lease().orElseThrow()));
    enqueue(jobs.of("c").tenant("stats").build());
    finish(new Finish.Fail(claimType("c", LONG_LEASE).lease().orElseThrow(), JobError.of("x")));

    Instant before = serverNow();
    BackendStats stats = backend.stats(new StatsRequest("stats", Duration.ofHours(1)));
    Instant after = serverNow();

    assertTimeBetween("measuredAt", stats.measuredAt(), before, after);
    assertThat(nonZero(stats.countsByState()))
        .isEqualTo(
            Map.of(
                JobState.PENDING, 2L,
                JobState.RUNNING, 1L,
                JobState.SUCCEEDED, 1L,
                JobState.FAILED, 1L));
    assertThat(nonZero(stats.countsByType().get("a"))).isEqualTo(Map.of(JobState.PENDING, 2L));
    assertThat(nonZero(stats.countsByType().get("b")))
        .isEqualTo(Map.of(JobState.RUNNING, 1L, JobState.SUCCEEDED, 1L));
    assertThat(nonZero(stats.countsByType().get("c"))).isEqualTo(Map.of(JobState.FAILED, 1L));
  }

  @Test
  void statsScopedToATenantIgnoreOtherTenants() {
    enqueue(jobs.of("work").tenant("acme").build());
    enqueue(jobs.of("work").tenant("globex").build());
    enqueue(jobs.of("other").tenant("globex").build());

    BackendStats acme = backend.stats(new StatsRequest("acme", Duration.ofHours(1)));
    BackendStats all = backend.stats(new StatsRequest(null, Duration.ofHours(1)));

    assertThat(nonZero(acme.countsByState())).isEqualTo(Map.of(JobState.PENDING, 1L));
    assertThat(acme.countsByType()).doesNotContainKey("other");
    assertThat(nonZero(all.countsByState())).isEqualTo(Map.of(JobState.PENDING, 3L));
    assertThat(nonZero(all.countsByType().get("work"))).isEqualTo(Map.of(JobState.PENDING, 2L));
  }

  @Test
  void statsCountStuckJobsWithExpiredLeases() {
    enqueue(jobs.of("short").build());
    enqueue(jobs.of("long").build());
    claimType("short", SHORT_LEASE);
    claimType("long", LONG_LEASE);
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).stuck()).isZero();

    fixture.passTime(PAST_SHORT_LEASE);
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).stuck()).isEqualTo(1);

    backend.rescue(new RescueRequest(100));
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).stuck()).isZero();
  }

  @Test
  void statsCountJobsFailedWithinTheWindow() {
    enqueue(jobs.of("work").build());
    finish(new Finish.Fail(claimOne("w1", LONG_LEASE).lease().orElseThrow(), JobError.of("x")));
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).failedInWindow())
        .isEqualTo(1);

    fixture.passTime(Duration.ofMillis(400));

    assertThat(backend.stats(new StatsRequest(null, Duration.ofMillis(200))).failedInWindow())
        .isZero();
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).failedInWindow())
        .isEqualTo(1);
  }

  @Test
  void statsMeasureHowLongTheOldestDueJobHasWaited() {
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).oldestDueAge()).isEmpty();
    enqueue(jobs.of("later").delay(FUTURE).build());
    assertThat(backend.stats(new StatsRequest(null, Duration.ofHours(1))).oldestDueAge()).isEmpty();

    Instant now = serverNow();
    enqueue(jobs.of("waiting").runAt(now.minusSeconds(10)).build());
    enqueue(jobs.of("waiting").runAt(now.minusSeconds(3)).build());

    Optional<Duration> age =
        backend.stats(new StatsRequest(null, Duration.ofHours(1))).oldestDueAge();
    assertThat(age).isPresent();
    assertThat(age.get()).isBetween(Duration.ofSeconds(10).minus(SLACK), Duration.ofSeconds(40));
  }

  // ---------------------------------------------------------------- prune

  @Test
  void pruneDeletesOnlyTerminalJobsPastTheirStatesRetention() {
    NewJob succeeded = jobs.of("succeeded").build();
    NewJob failed = jobs.of("failed").build();
    NewJob cancelled = jobs.of("cancelled").build();
    NewJob pending = jobs.of("pending").build();
    NewJob running = jobs.of("running").build();
    for (NewJob job : List.of(succeeded, failed, cancelled, pending, running)) {
      enqueue(job);
    }
    finish(new Finish.Succeed(claimType("succeeded", LONG_LEASE).lease().orElseThrow()));
    finish(
        new Finish.Fail(claimType("failed", LONG_LEASE).lease().orElseThrow(), JobError.of("x")));
    backend.cancel(new CancelRequest(ref(cancelled), "x"));
    claimType("running", LONG_LEASE);

    fixture.passTime(Duration.ofMillis(300));
    NewJob fresh = jobs.of("fresh").build();
    enqueue(fresh);
    finish(new Finish.Succeed(claimType("fresh", LONG_LEASE).lease().orElseThrow()));

    Duration shortRetention = Duration.ofMillis(200);
    PruneResult result =
        backend.prune(new PruneRequest(shortRetention, Duration.ofHours(1), shortRetention, 100));

    assertThat(result.deleted()).isEqualTo(2);
    assertThat(findOptional(succeeded)).isEmpty();
    assertThat(findOptional(cancelled)).isEmpty();
    assertThat(findOptional(failed)).isPresent();
    assertThat(findOptional(fresh)).isPresent();
    assertThat(findOptional(pending)).isPresent();
    assertThat(findOptional(running)).isPresent();
  }

  @Test
  void pruneDeletesAtMostLimitJobs() {
    for (int i = 0; i < 3; i++) {
      enqueue(jobs.of("work").payloadN(i).build());
    }
    for (Job job : claim("w1", 3, LONG_LEASE)) {
      finish(new Finish.Succeed(job.lease().orElseThrow()));
    }
    fixture.passTime(Duration.ofMillis(100));
    Duration tiny = Duration.ofMillis(1);

    assertThat(backend.prune(new PruneRequest(tiny, tiny, tiny, 2)).deleted()).isEqualTo(2);
    assertThat(backend.prune(new PruneRequest(tiny, tiny, tiny, 2)).deleted()).isEqualTo(1);
    assertThat(backend.prune(new PruneRequest(tiny, tiny, tiny, 2)).deleted()).isZero();
    assertThat(allJobs("default")).isEmpty();
  }

  @Test
  void pruneNeverDeletesPendingOrRunningJobs() {
    NewJob pending = jobs.of("pending").build();
    NewJob running = jobs.of("running").build();
    enqueue(pending);
    enqueue(running);
    claimType("running", SHORT_LEASE);
    fixture.passTime(PAST_SHORT_LEASE);
    Duration tiny = Duration.ofMillis(1);

    assertThat(backend.prune(new PruneRequest(tiny, tiny, tiny, 100)).deleted()).isZero();
    assertThat(findOptional(pending)).isPresent();
    assertThat(findOptional(running)).isPresent();
  }

  // ---------------------------------------------------------------- progress

  @Test
  void progressIsStoredWhileTheLeaseIsHeld() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Lease lease = claimOne("w1", LONG_LEASE).lease().orElseThrow();

    assertThat(progress(lease, new JobProgress(40, "resizing 4/10")).applied())
        .containsExactly(job.id());
    assertThat(find(job).progress()).isEqualTo(new JobProgress(40, "resizing 4/10"));

    assertThat(progress(lease, new JobProgress(90, "")).applied()).containsExactly(job.id());
    assertThat(find(job).progress()).isEqualTo(new JobProgress(90, ""));
    assertThat(find(job).state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void progressWithALostLeaseChangesNothing() {
    NewJob job = jobs.of("work").build();
    enqueue(job);
    Lease lease = claimOne("w1", LONG_LEASE).lease().orElseThrow();
    progress(lease, new JobProgress(30, "started"));
    Lease forged = new Lease(job.id(), 1, "w1", "forged");

    assertThat(progress(forged, new JobProgress(99, "forged")).lost()).containsExactly(job.id());
    assertThat(find(job).progress()).isEqualTo(new JobProgress(30, "started"));

    finish(new Finish.Succeed(lease));
    Job done = find(job);
    assertThat(progress(lease, new JobProgress(100, "late")).lost()).containsExactly(job.id());
    assertThat(find(job)).isEqualTo(done);
  }

  // ---------------------------------------------------------------- maintenance lock

  @Test
  void maintenanceLockIsExclusiveBetweenOwners() {
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();
    assertThat(lock("node-b", Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void maintenanceLockIsRenewableByItsOwner() {
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();
    assertThat(lock("node-b", Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void maintenanceLockIsFreeAfterUnlock() {
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();
    backend.unlockMaintenance("node-a");

    assertThat(lock("node-b", Duration.ofMinutes(1))).isTrue();
    assertThat(lock("node-a", Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void maintenanceLockIsFreeAfterItsTtlExpires() {
    assertThat(lock("node-a", Duration.ofMillis(300))).isTrue();
    assertThat(lock("node-b", Duration.ofMillis(300))).isFalse();

    fixture.passTime(Duration.ofMillis(400));

    assertThat(lock("node-b", Duration.ofMinutes(1))).isTrue();
    assertThat(lock("node-a", Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void renewingTheMaintenanceLockExtendsItsTtl() {
    assertThat(lock("node-a", Duration.ofMillis(400))).isTrue();
    fixture.passTime(Duration.ofMillis(200));
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();

    fixture.passTime(Duration.ofMillis(300));

    assertThat(lock("node-b", Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void unlockByAnotherOwnerDoesNotReleaseTheLock() {
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();
    backend.unlockMaintenance("node-b");

    assertThat(lock("node-b", Duration.ofMinutes(1))).isFalse();
    assertThat(lock("node-a", Duration.ofMinutes(1))).isTrue();
  }

  // ---------------------------------------------------------------- wake-ups

  @Test
  void subscriberIsWokenAfterAnEnqueue() {
    List<String> signals = new CopyOnWriteArrayList<>();
    Subscription subscription = backend.subscribe(signals::add);
    if (!backend.capabilities().wakeups()) {
      // The contract for a backend without signals: a subscription that never calls.
      enqueue(jobs.of("wake").queue("wake-queue").build());
      subscription.close();
      assertThat(signals).isEmpty();
      return;
    }
    try {
      // The first signal may come from the catch-up made when listening begins.
      enqueueUntilHeard("warm-up-queue", signals);
      // Now listening: a queue unknown until this enqueue can only be heard through its signal.
      enqueue(jobs.of("wake").queue("wake-queue").build());
      await().atMost(Duration.ofSeconds(10)).until(() -> signals.contains("wake-queue"));
    } finally {
      subscription.close();
    }
  }

  /**
   * Enqueues into {@code queue} until {@code signals} holds it: a fresh subscription may need a
   * moment to listen.
   */
  private void enqueueUntilHeard(String queue, List<String> signals) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              enqueue(jobs.of("wake").queue(queue).build());
              return signals.contains(queue);
            });
  }

  @Test
  void closingASubscriptionTwiceIsHarmlessAndStopsItsCalls() {
    List<String> closedOnesSignals = new CopyOnWriteArrayList<>();
    Subscription subscription = backend.subscribe(closedOnesSignals::add);
    assertThatCode(subscription::close).as("first close").doesNotThrowAnyException();
    assertThatCode(subscription::close).as("second close").doesNotThrowAnyException();
    List<String> openOnesSignals = new CopyOnWriteArrayList<>();
    try (Subscription open = backend.subscribe(openOnesSignals::add)) {
      if (backend.capabilities().wakeups()) {
        // Once a subscription still open has heard the signal, the closed one has had its chance.
        enqueueUntilHeard("closed-sub-queue", openOnesSignals);
      } else {
        enqueue(jobs.of("wake").queue("closed-sub-queue").build());
      }
    }
    assertThat(closedOnesSignals).isEmpty();
  }

  // ---------------------------------------------------------------- payloads

  @Test
  void unicodePayloadRoundTripsUnchanged() {
    NewJob job = jobs.of("unicode").payload(TestPayloads.unicode()).build();
    enqueue(job);

    assertSameJson(find(job).payload(), TestPayloads.unicode());
    assertSameJson(claimOne("w1", LONG_LEASE).payload(), TestPayloads.unicode());
  }

  @Test
  void payloadOfOneMebibyteRoundTripsUnchanged() {
    String payload = TestPayloads.ofUtf8Size(1024 * 1024 - 64);
    NewJob job = jobs.of("large").payload(payload).build();
    enqueue(job);

    assertSameJson(find(job).payload(), payload);
    assertSameJson(claimOne("w1", LONG_LEASE).payload(), payload);
  }

  // ---------------------------------------------------------------- helpers

  /** The backend's clock, read with a round trip. */
  protected Instant serverNow() {
    return backend.ping().serverTime();
  }

  protected EnqueueResult enqueue(NewJob job) {
    return backend.enqueue(EnqueueRequest.of(job)).results().get(0);
  }

  protected Job find(NewJob job) {
    return findOptional(job)
        .orElseThrow(() -> new AssertionError("job " + job.id() + " not found"));
  }

  protected Optional<Job> findOptional(NewJob job) {
    return backend.find(ref(job));
  }

  protected static JobRef ref(NewJob job) {
    return new JobRef(job.tenant(), job.id());
  }

  protected static ClaimRequest claimRequest(
      String workerId,
      Set<String> queues,
      Set<String> includeTypes,
      Set<String> excludeTypes,
      String tenant,
      int limit) {
    return new ClaimRequest(
        workerId, queues, includeTypes, excludeTypes, tenant, limit, LONG_LEASE);
  }

  protected List<Job> claim(String workerId, int limit, Duration lease) {
    return backend
        .claim(new ClaimRequest(workerId, Set.of(), Set.of(), Set.of(), null, limit, lease))
        .jobs();
  }

  protected Job claimOne(String workerId, Duration lease) {
    List<Job> claimed = claim(workerId, 1, lease);
    assertThat(claimed).as("claimed jobs").hasSize(1);
    return claimed.get(0);
  }

  /** Claims the one due job of {@code type}. */
  protected Job claimType(String type, Duration lease) {
    List<Job> claimed =
        backend
            .claim(new ClaimRequest("w-" + type, Set.of(), Set.of(type), Set.of(), null, 1, lease))
            .jobs();
    assertThat(claimed).as("claimed jobs of type " + type).hasSize(1);
    return claimed.get(0);
  }

  protected FencedResult finish(Finish finish) {
    return backend.finish(FinishRequest.of(finish));
  }

  protected FencedResult progress(Lease lease, JobProgress progress) {
    return backend.progress(
        new ProgressRequest(List.of(new ProgressRequest.Update(lease, progress))));
  }

  protected boolean lock(String owner, Duration ttl) {
    return backend.lockMaintenance(new MaintenanceLockRequest(owner, ttl));
  }

  /** Every job of a tenant, page after page. */
  protected List<Job> allJobs(String tenant) {
    List<Job> all = new ArrayList<>();
    JobQuery query = JobQuery.tenant(tenant).withLimit(JobQuery.MAX_LIMIT);
    JobPage page;
    do {
      page = backend.list(query);
      all.addAll(page.jobs());
      query = query.withAfter(page.next().orElse(null));
    } while (page.next().isPresent());
    return all;
  }

  private static UUID next(JobPage page) {
    return page.next().orElseThrow(() -> new AssertionError("page has no next cursor"));
  }

  private static List<UUID> ids(List<?> jobsOrNewJobs) {
    List<UUID> ids = new ArrayList<>();
    for (Object o : jobsOrNewJobs) {
      ids.add(o instanceof Job ? ((Job) o).id() : ((NewJob) o).id());
    }
    return ids;
  }

  private static Map<JobState, Long> nonZero(Map<JobState, Long> counts) {
    assertThat(counts).as("counts").isNotNull();
    Map<JobState, Long> result = new HashMap<>();
    counts.forEach(
        (state, n) -> {
          if (n != 0) {
            result.put(state, n);
          }
        });
    return result;
  }

  /** A stored time lies within the backend clock's readings around the call, give or take SLACK. */
  protected static void assertTimeBetween(
      String what, Instant actual, Instant lower, Instant upper) {
    assertThat(actual).as(what).isNotNull();
    assertThat(actual).as(what).isBetween(lower.minus(SLACK), upper.plus(SLACK));
  }

  /** A job out of a worker's hands keeps no lease. */
  protected static void assertLeaseCleared(Job job) {
    assertThat(job.leaseToken()).as("leaseToken").isNull();
    assertThat(job.leaseOwner()).as("leaseOwner").isNull();
    assertThat(job.leaseExpiresAt()).as("leaseExpiresAt").isNull();
    assertThat(job.lease()).isEmpty();
  }
}
