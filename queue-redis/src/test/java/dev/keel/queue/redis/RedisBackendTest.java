package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.Job;
import dev.keel.queue.JobState;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.redis.internal.RedisUrl;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.testkit.TestJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

/** Redis-specific behaviour beyond the conformance suite: key layout, TTLs, scripts, wake-ups. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisBackendTest {
  private static final Duration LEASE = Duration.ofMinutes(1);

  private RedisFixture fixture;
  private RedisBackend backend;
  private TestJobs jobs;

  @BeforeAll
  void createFixture() {
    fixture = RedisFixture.standalone("backend");
    jobs = new TestJobs(fixture.clock());
  }

  @BeforeEach
  void open() {
    backend = (RedisBackend) fixture.openEmpty();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  @AfterAll
  void dropNamespace() {
    fixture.close();
    try (RedisClient check = RedisClient.create(java.net.URI.create(fixture.url()))) {
      assertThat(check.keys("{" + fixture.namespace() + "}:*")).isEmpty();
    }
  }

  private List<Job> claim(Set<String> queues, int limit) {
    return backend
        .claim(new ClaimRequest("w", queues, Set.of(), Set.of(), null, limit, LEASE))
        .jobs();
  }

  private void enqueue(NewJob... newJobs) {
    backend.enqueue(new EnqueueRequest(List.of(newJobs)));
  }

  @Test
  void everyKeySharesTheNamespaceHashTag() {
    enqueue(
        jobs.of("a").queue("q1").tenant("t1").idempotencyKey("k1").build(),
        jobs.of("b").queue("q2").tenant("t2").delay(Duration.ofHours(1)).build(),
        jobs.of("c").queue("q:odd").tenant("t:odd").build());
    List<Job> claimed = claim(Set.of(), 2);
    backend.finish(FinishRequest.of(new Finish.Succeed(claimed.get(0).lease().orElseThrow())));
    backend.lockMaintenance(new dev.keel.queue.spi.MaintenanceLockRequest("me", LEASE));

    List<String> keys = fixture.keys();
    assertThat(keys).isNotEmpty().allMatch(k -> k.startsWith("{" + fixture.namespace() + "}:"));
  }

  @Test
  void aRequestSentAgainIsReportedAndNotInsertedTwice() {
    // A client that lost the reply sends the same request (same ids) again.
    EnqueueRequest request =
        new EnqueueRequest(
            List.of(
                jobs.of("a").queue("q1").build(),
                jobs.of("b").queue("q1").tenant("t2").idempotencyKey("k").build(),
                jobs.of("a").queue("q2").priority(-3).timeout(Duration.ofSeconds(5)).build(),
                jobs.of("a").queue("q1").delay(Duration.ofHours(1)).build()));
    List<EnqueueResult> first = backend.enqueue(request).results();
    Job running = claim(Set.of("q2"), 1).get(0);

    List<EnqueueResult> second = backend.enqueue(request).results();

    assertThat(first)
        .extracting(EnqueueResult::id, EnqueueResult::created, EnqueueResult::state)
        .containsExactly(
            tuple(request.jobs().get(0).id(), true, JobState.PENDING),
            tuple(request.jobs().get(1).id(), true, JobState.PENDING),
            tuple(request.jobs().get(2).id(), true, JobState.PENDING),
            tuple(request.jobs().get(3).id(), true, JobState.PENDING));
    assertThat(second)
        .extracting(EnqueueResult::id, EnqueueResult::state)
        .containsExactly(
            tuple(request.jobs().get(0).id(), JobState.PENDING),
            tuple(request.jobs().get(1).id(), JobState.PENDING),
            tuple(running.id(), JobState.RUNNING),
            tuple(request.jobs().get(3).id(), JobState.PENDING));
    BackendStats stats = backend.stats(new StatsRequest(null, Duration.ofHours(1)));
    assertThat(stats.countsByState())
        .containsEntry(JobState.PENDING, 3L)
        .containsEntry(JobState.RUNNING, 1L);
    // Nothing was placed twice: the two due jobs of q1 are claimed once each, then nothing.
    assertThat(claim(Set.of(), 10))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(request.jobs().get(0).id(), request.jobs().get(1).id());
    assertThat(claim(Set.of(), 10)).isEmpty();
  }

  @Test
  void claimChoosesGloballyAcrossQueuesAndTypesByPriorityThenRunAtThenId() {
    NewJob late = jobs.of("x").queue("q1").priority(0).build();
    NewJob urgent = jobs.of("y").queue("q2").priority(-5).build();
    NewJob older =
        jobs.of("z")
            .queue("q3")
            .priority(0)
            .runAt(fixture.clock().instant().minusSeconds(60))
            .build();
    NewJob lowest = jobs.of("x").queue("q2").priority(7).build();
    enqueue(late, urgent, older, lowest);

    List<Job> claimed = claim(Set.of(), 10);

    assertThat(claimed)
        .extracting(Job::id)
        .containsExactly(urgent.id(), older.id(), late.id(), lowest.id());
  }

  @Test
  void claimFromSomeQueuesLeavesTheOthers() {
    NewJob a = jobs.of("x").queue("qa").build();
    NewJob b = jobs.of("x").queue("qb").build();
    enqueue(a, b);
    assertThat(claim(Set.of("qb", "unknown"), 10)).extracting(Job::id).containsExactly(b.id());
    assertThat(claim(Set.of(), 10)).extracting(Job::id).containsExactly(a.id());
  }

  @Test
  void finishedJobsGetATtlBackstopAndActiveJobsNone() {
    NewJob done = jobs.of("t").build();
    NewJob waiting = jobs.of("t").delay(Duration.ofHours(1)).build();
    enqueue(done, waiting);
    Job claimed = claim(Set.of(), 1).get(0);
    backend.finish(FinishRequest.of(new Finish.Succeed(claimed.lease().orElseThrow())));

    UnifiedJedis redis = fixture.admin();
    String prefix = "{" + fixture.namespace() + "}:job:";
    assertThat(redis.pttl(prefix + done.id())).isPositive();
    assertThat(redis.pttl(prefix + waiting.id())).isEqualTo(-1);
  }

  @Test
  void pruneLeavesNoPerJobKeyOrIndexEntryBehind() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(
          jobs.of("p")
              .tenant("t" + (i % 3))
              .idempotencyKey("key-" + i, IdempotencyPolicy.window(Duration.ofHours(1)))
              .build());
    }
    backend.enqueue(new EnqueueRequest(batch));
    List<Finish> finishes = new ArrayList<>();
    for (Job job : claim(Set.of(), 50)) {
      finishes.add(new Finish.Succeed(job.lease().orElseThrow()));
    }
    assertThat(backend.finish(new FinishRequest(finishes)).applied()).hasSize(50);

    Duration none = Duration.ZERO;
    assertThat(backend.prune(new PruneRequest(none, none, none, 1_000)).deleted()).isEqualTo(50);

    // What stays are a few fixed registries, independent of how many jobs passed through.
    assertThat(fixture.keys())
        .noneMatch(k -> k.contains(":job:") || k.contains(":idem:") || k.contains(":jobs:"))
        .hasSizeLessThan(8);
  }

  @Test
  void scriptsAreLoadedAgainAfterTheServerForgotThem() {
    enqueue(jobs.of("s").build());
    ((RedisClient) fixture.admin()).scriptFlush();
    enqueue(jobs.of("s").build());
    assertThat(claim(Set.of(), 10)).hasSize(2);
  }

  /** Enqueues into {@code queue} until {@code signals} holds it, so the subscription listens. */
  private void enqueueUntilHeard(String queue, List<String> signals) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              enqueue(jobs.of("warm").queue(queue).build());
              return signals.contains(queue);
            });
  }

  @Test
  void subscriberIsWokenWhenAScheduledJobFallsDue() {
    List<String> signals = new CopyOnWriteArrayList<>();
    try (Subscription subscription = backend.subscribe(signals::add)) {
      // Let the subscription listen first: enqueue-time signals must not satisfy the test.
      enqueueUntilHeard("warm-up", signals);
      enqueue(jobs.of("later").queue("scheduled-q").delay(Duration.ofMillis(300)).build());
      assertThat(signals).doesNotContain("scheduled-q");

      await().atMost(Duration.ofSeconds(3)).until(() -> signals.contains("scheduled-q"));
    }
  }

  @Test
  void aNewSubscriptionWakesQueuesWhoseSignalsCameBeforeItListened() {
    // Published before anyone listened: lost to pub/sub, as a job enqueued while a worker starts.
    enqueue(jobs.of("early").queue("before-subscribing").build());
    List<String> signals = new CopyOnWriteArrayList<>();
    try (Subscription subscription = backend.subscribe(signals::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> signals.contains("before-subscribing"));
    }
  }

  @Test
  void wakeUpThreadsOutliveAnUnexpectedFailure() {
    AtomicInteger subscribes = new AtomicInteger();
    AtomicInteger promotes = new AtomicInteger();
    RedisUrl url = RedisUrl.parse(fixture.url(), "the fixture");
    // A client whose first SUBSCRIBE and first promotion fail with something that is not a
    // connection error (as a bug would), then behave.
    try (UnifiedJedis flaky =
            new UnifiedJedis(
                new PooledConnectionProvider(
                    url.hosts().get(0),
                    DefaultJedisClientConfig.builder()
                        .user(url.user())
                        .password(url.password())
                        .database(url.database())
                        .build()),
                1,
                Duration.ofSeconds(1)) {
              @Override
              public void subscribe(JedisPubSub pubSub, String... channels) {
                if (subscribes.getAndIncrement() == 0) {
                  throw new IllegalStateException("injected subscribe failure");
                }
                super.subscribe(pubSub, channels);
              }

              @Override
              public Object evalsha(String sha, List<String> keys, List<String> args) {
                if (Thread.currentThread().getName().equals("keel-redis-promoter")
                    && promotes.getAndIncrement() == 0) {
                  throw new IllegalStateException("injected promote failure");
                }
                return super.evalsha(sha, keys, args);
              }
            };
        RedisBackend own =
            RedisBackend.builder().client(flaky).namespace(fixture.namespace()).build()) {
      List<String> signals = new CopyOnWriteArrayList<>();
      try (Subscription subscription = own.subscribe(signals::add)) {
        enqueueUntilHeard("flaky-warm-up", signals);
        // Only the promoter publishes a job that falls due later.
        enqueue(jobs.of("later").queue("flaky-scheduled").delay(Duration.ofMillis(300)).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> signals.contains("flaky-scheduled"));
      }
      assertThat(subscribes).hasValueGreaterThanOrEqualTo(2);
      assertThat(promotes).hasValueGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aRetentionLongerThanTheHashTtlIsNamedInAWarning() {
    Duration ttl = Duration.ofDays(30);
    assertThat(
            RedisBackend.retentionBeyondTtl(
                new PruneRequest(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(30), 10),
                ttl))
        .isEmpty();
    assertThat(
            RedisBackend.retentionBeyondTtl(
                new PruneRequest(Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(31), 10),
                ttl))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .contains("failed PT2160H", "cancelled PT744H", "finishedJobTtl (PT720H)")
                    .doesNotContain("succeeded"));
  }

  @Test
  void applicationSuppliedClientIsLeftOpenOnClose() {
    try (RedisClient client = RedisClient.create(java.net.URI.create(fixture.url()))) {
      RedisBackend own =
          RedisBackend.builder().client(client).namespace(fixture.namespace()).build();
      NewJob job = jobs.of("own").build();
      own.enqueue(EnqueueRequest.of(job));
      own.close();
      assertThat(client.exists("{" + fixture.namespace() + "}:job:" + job.id())).isTrue();
      assertThat(backend.find(new JobRef("default", job.id()))).isPresent();
    }
  }

  @Test
  void builderRefusesOptionsSetTwiceAndBadNamespaces() {
    assertThatThrownBy(() -> RedisBackend.builder().namespace("a").namespace("b"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("namespace was already set");
    assertThatThrownBy(() -> RedisBackend.builder().namespace("{bad}"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> RedisBackend.builder().build())
        .isInstanceOf(KeelConfigurationException.class);
  }
}
