package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operations-data calls of the backend SPI (alerts and backlog samples for the operations
 * console), the named locks that {@code opsData} promises, and the per-queue and finished-in-window
 * figures of {@link BackendStats}. Every backend module runs it with its {@link BackendFixture}.
 *
 * <p>As in {@link QueueBackendConformanceTest}, times are bounded by the backend's own clock read
 * through {@link QueueBackend#ping()}, and time passes only through {@link
 * BackendFixture#passTime}, in steps well under a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OpsDataBackendConformanceTest {
  /** Tolerance for storage precision when bounding a stored time. */
  private static final Duration SLACK = Duration.ofMillis(100);

  private static final Duration LONG_LEASE = Duration.ofMinutes(5);
  private static final Duration HOUR = Duration.ofHours(1);

  private BackendFixture fixture;
  private TestJobs jobs;
  private QueueBackend backend;
  private final List<QueueBackend> others = new ArrayList<>();

  /** The fixture of the backend under test; called once per test class. */
  protected abstract BackendFixture createFixture();

  @BeforeAll
  void setUpFixture() {
    fixture = createFixture();
    jobs = new TestJobs(fixture.clock());
  }

  @BeforeEach
  void open() {
    backend = fixture.openEmpty();
  }

  @AfterEach
  void closeBackends() {
    others.forEach(QueueBackend::close);
    others.clear();
    backend.close();
  }

  @AfterAll
  void tearDownFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  // ---------------------------------------------------------------- capabilities and locks

  @Test
  void capabilitiesSayTheBackendStoresOperationsData() {
    assertThat(backend.capabilities().opsData()).isTrue();
  }

  @Test
  void namedLocksAreIndependentOfTheMaintenanceLock() {
    Duration ttl = Duration.ofMinutes(1);
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-a", ttl))).isTrue();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-b", ttl, "ops"))).isTrue();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-a", ttl, "ops"))).isFalse();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-b", ttl))).isFalse();

    backend.unlockMaintenance("ops", "node-a"); // not the holder: nothing happens
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-a", ttl, "ops"))).isFalse();

    backend.unlockMaintenance("ops", "node-b");
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-b", ttl))).isFalse();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-a", ttl, "ops"))).isTrue();

    backend.unlockMaintenance(MaintenanceLockRequest.MAINTENANCE, "node-a");
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-b", ttl))).isTrue();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("node-b", ttl, "ops"))).isFalse();
  }

  // ---------------------------------------------------------------- open

  @Test
  void openStoresANewOpenAlertWithEveryField() {
    UUID id = jobs.nextId();
    Instant before = serverNow();
    AlertOpenResult r =
        backend.openAlert(new AlertOpenRequest(id, "queue.backlog", "q1", "acme", "{\"m\":1}"));
    Instant after = serverNow();

    assertThat(r.created()).isTrue();
    StoredAlert a = r.alert();
    assertThat(a.id()).isEqualTo(id);
    assertThat(a.rule()).isEqualTo("queue.backlog");
    assertThat(a.subject()).isEqualTo("q1");
    assertThat(a.tenant()).isEqualTo("acme");
    assertThat(a.state()).isEqualTo(AlertState.OPEN);
    assertThat(a.version()).isEqualTo(1);
    assertThat(a.body()).isEqualTo("{\"m\":1}");
    assertTimeBetween("openedAt", a.openedAt(), before, after);
    assertThat(a.updatedAt()).isEqualTo(a.openedAt());
    assertThat(backend.findAlert(id)).contains(a);
  }

  @Test
  void anAlertAboutTheWholeBackendHasNoTenant() {
    StoredAlert a = open("backend.unreachable", "backend", null);
    assertThat(a.tenant()).isNull();
    assertThat(backend.findAlert(a.id()).orElseThrow().tenant()).isNull();
  }

  @Test
  void openReturnsTheActiveAlertUnchangedOnTheSecondCall() {
    StoredAlert first = open("rule", "subject", "acme");
    UUID otherId = jobs.nextId();

    AlertOpenResult second =
        backend.openAlert(new AlertOpenRequest(otherId, "rule", "subject", "acme", "{\"m\":2}"));

    assertThat(second.created()).isFalse();
    assertThat(second.alert()).isEqualTo(first);
    assertThat(backend.findAlert(otherId)).isEmpty();
    assertThat(all()).extracting(StoredAlert::id).containsExactly(first.id());
  }

  @Test
  void oneRuleOnTwoSubjectsAndTwoRulesOnOneSubjectAreFourAlerts() {
    open("r1", "s1", null);
    open("r1", "s2", null);
    open("r2", "s1", null);
    open("r2", "s2", null);
    assertThat(all()).hasSize(4);
  }

  @Test
  void acknowledgedAndSnoozedAlertsAreStillTheActiveOne() {
    StoredAlert a = open("rule", "subject", null);
    StoredAlert acked = update(a, AlertState.ACKNOWLEDGED, "{\"ack\":true}");
    AlertOpenResult again = openResult("rule", "subject", null);
    assertThat(again.created()).isFalse();
    assertThat(again.alert()).isEqualTo(acked);

    StoredAlert snoozed = update(acked, AlertState.SNOOZED, "{\"until\":1}");
    again = openResult("rule", "subject", null);
    assertThat(again.created()).isFalse();
    assertThat(again.alert()).isEqualTo(snoozed);
  }

  @Test
  void concurrentOpensOfOneRuleAndSubjectMakeExactlyOneAlert() throws Exception {
    int threads = 8;
    List<QueueBackend> nodes = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      if (i % 2 == 0) {
        nodes.add(backend);
      } else {
        QueueBackend other = fixture.openAnother();
        others.add(other);
        nodes.add(other);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 5; round++) {
        String subject = "race-" + round;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<AlertOpenResult>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          QueueBackend node = nodes.get(i);
          UUID id = jobs.nextId();
          results.add(
              pool.submit(
                  () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return node.openAlert(
                        new AlertOpenRequest(id, "race", subject, null, "{\"n\":0}"));
                  }));
        }
        Set<UUID> ids = new HashSet<>();
        int created = 0;
        for (Future<AlertOpenResult> f : results) {
          AlertOpenResult r = f.get(30, TimeUnit.SECONDS);
          ids.add(r.alert().id());
          created += r.created() ? 1 : 0;
        }
        assertThat(created).as("alerts created in round " + round).isEqualTo(1);
        assertThat(ids).as("alerts returned in round " + round).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(all()).hasSize(5);
  }

  @Test
  void afterResolveANewOpenCreatesANewAlert() {
    StoredAlert first = open("rule", "subject", "acme");
    StoredAlert resolved = update(first, AlertState.RESOLVED, "{\"resolved\":true}");

    AlertOpenResult second = openResult("rule", "subject", "acme");

    assertThat(second.created()).isTrue();
    assertThat(second.alert().id()).isNotEqualTo(first.id());
    assertThat(second.alert().state()).isEqualTo(AlertState.OPEN);
    assertThat(second.alert().version()).isEqualTo(1);
    assertThat(backend.findAlert(first.id())).contains(resolved);
    AlertOpenResult third = openResult("rule", "subject", "acme");
    assertThat(third.created()).isFalse();
    assertThat(third.alert().id()).isEqualTo(second.alert().id());
  }

  // ---------------------------------------------------------------- update

  @Test
  void updateSetsStateAndBodyAndIncrementsTheVersion() {
    StoredAlert a = open("rule", "subject", null);
    fixture.passTime(Duration.ofMillis(5));

    Instant before = serverNow();
    StoredAlert v2 = update(a, AlertState.ACKNOWLEDGED, "{\"v\":2}");
    Instant after = serverNow();

    assertThat(v2.id()).isEqualTo(a.id());
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.state()).isEqualTo(AlertState.ACKNOWLEDGED);
    assertThat(v2.body()).isEqualTo("{\"v\":2}");
    assertThat(v2.openedAt()).isEqualTo(a.openedAt());
    assertTimeBetween("updatedAt", v2.updatedAt(), before, after);
    assertThat(v2.updatedAt()).isAfter(a.updatedAt());
    assertThat(v2.rule()).isEqualTo("rule");
    assertThat(v2.subject()).isEqualTo("subject");
    assertThat(backend.findAlert(a.id())).contains(v2);

    StoredAlert v3 = update(v2, AlertState.SNOOZED, "{\"v\":3}");
    StoredAlert v4 = update(v3, AlertState.OPEN, "{\"v\":4}");
    assertThat(v3.version()).isEqualTo(3);
    assertThat(v4.version()).isEqualTo(4);
    assertThat(v4.state()).isEqualTo(AlertState.OPEN);
    assertThat(v4.updatedAt()).isAfterOrEqualTo(v3.updatedAt());
  }

  @Test
  void updateWithAStaleVersionChangesNothing() {
    StoredAlert a = open("rule", "subject", null);
    StoredAlert v2 = update(a, AlertState.ACKNOWLEDGED, "{\"v\":2}");

    AlertUpdateResult stale =
        backend.updateAlert(
            new AlertUpdateRequest(a.id(), a.version(), AlertState.RESOLVED, "{\"stale\":1}"));

    assertThat(stale.changed()).isFalse();
    assertThat(stale.alert()).contains(v2);
    assertThat(backend.findAlert(a.id())).contains(v2);
    AlertUpdateResult ahead =
        backend.updateAlert(
            new AlertUpdateRequest(a.id(), v2.version() + 1, AlertState.RESOLVED, "{}"));
    assertThat(ahead.changed()).isFalse();
    assertThat(backend.findAlert(a.id())).contains(v2);
  }

  @Test
  void aResolvedAlertIsNeverChangedAgain() {
    StoredAlert a = open("rule", "subject", null);
    StoredAlert resolved = update(a, AlertState.RESOLVED, "{\"done\":1}");

    for (AlertState state : AlertState.values()) {
      AlertUpdateResult r =
          backend.updateAlert(
              new AlertUpdateRequest(a.id(), resolved.version(), state, "{\"again\":1}"));
      assertThat(r.changed()).as("update of a RESOLVED alert to " + state).isFalse();
      assertThat(r.alert()).contains(resolved);
    }
    assertThat(backend.findAlert(a.id())).contains(resolved);
  }

  @Test
  void updateOfAnUnknownAlertFindsNothing() {
    AlertUpdateResult r =
        backend.updateAlert(new AlertUpdateRequest(jobs.nextId(), 1, AlertState.RESOLVED, "{}"));
    assertThat(r.changed()).isFalse();
    assertThat(r.alert()).isEmpty();
  }

  @Test
  void findOfAnUnknownIdIsEmpty() {
    open("rule", "subject", null);
    assertThat(backend.findAlert(jobs.nextId())).isEmpty();
  }

  // ---------------------------------------------------------------- list

  @Test
  void listPagesNewestFirst() {
    List<StoredAlert> opened = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      opened.add(open("rule", "s" + i, null));
    }
    List<UUID> newestFirst = new ArrayList<>();
    for (int i = 4; i >= 0; i--) {
      newestFirst.add(opened.get(i).id());
    }

    AlertPage p1 = backend.listAlerts(new AlertListRequest(Set.of(), null, null, 2));
    assertThat(p1.alerts()).containsExactly(opened.get(4), opened.get(3));
    assertThat(p1.next()).contains(opened.get(3).id());

    AlertPage p2 = backend.listAlerts(new AlertListRequest(Set.of(), null, p1.next().get(), 2));
    assertThat(p2.alerts())
        .extracting(StoredAlert::id)
        .containsExactly(opened.get(2).id(), opened.get(1).id());

    AlertPage p3 = backend.listAlerts(new AlertListRequest(Set.of(), null, p2.next().get(), 2));
    assertThat(p3.alerts()).extracting(StoredAlert::id).containsExactly(opened.get(0).id());
    assertThat(p3.next()).isEmpty();

    assertThat(all()).extracting(StoredAlert::id).containsExactlyElementsOf(newestFirst);
    AlertPage exact = backend.listAlerts(new AlertListRequest(Set.of(), null, null, 5));
    assertThat(exact.alerts()).hasSize(5);
    assertThat(exact.next()).contains(opened.get(0).id());
    assertThat(backend.listAlerts(new AlertListRequest(Set.of(), null, exact.next().get(), 5)))
        .satisfies(
            last -> {
              assertThat(last.alerts()).isEmpty();
              assertThat(last.next()).isEmpty();
            });
  }

  @Test
  void listFiltersByState() {
    StoredAlert open = open("rule", "open", null);
    StoredAlert acked = update(open("rule", "acked", null), AlertState.ACKNOWLEDGED, "{}");
    StoredAlert snoozed = update(open("rule", "snoozed", null), AlertState.SNOOZED, "{}");
    StoredAlert resolved = update(open("rule", "resolved", null), AlertState.RESOLVED, "{}");
    StoredAlert open2 = open("rule", "open2", null);

    assertThat(list(Set.of(AlertState.OPEN), null))
        .extracting(StoredAlert::id)
        .containsExactly(open2.id(), open.id());
    assertThat(list(Set.of(AlertState.RESOLVED), null))
        .extracting(StoredAlert::id)
        .containsExactly(resolved.id());
    assertThat(list(Set.of(AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.SNOOZED), null))
        .extracting(StoredAlert::id)
        .containsExactly(open2.id(), snoozed.id(), acked.id(), open.id());
    assertThat(list(Set.of(), null)).hasSize(5);

    // Paging through a filtered list skips what does not match.
    AlertPage p1 = backend.listAlerts(new AlertListRequest(Set.of(AlertState.OPEN), null, null, 1));
    assertThat(p1.alerts()).extracting(StoredAlert::id).containsExactly(open2.id());
    AlertPage p2 =
        backend.listAlerts(
            new AlertListRequest(Set.of(AlertState.OPEN), null, p1.next().orElseThrow(), 1));
    assertThat(p2.alerts()).extracting(StoredAlert::id).containsExactly(open.id());
  }

  @Test
  void listFiltersByTenantAndLeavesBackendWideAlertsOutWhenTenantsAreGiven() {
    StoredAlert acme = open("rule", "a", "acme");
    StoredAlert global = open("rule", "g", null);
    StoredAlert globex = open("rule", "b", "globex");
    StoredAlert acme2 = open("rule", "c", "acme");

    assertThat(list(Set.of(), Set.of("acme")))
        .extracting(StoredAlert::id)
        .containsExactly(acme2.id(), acme.id());
    assertThat(list(Set.of(), Set.of("acme", "globex")))
        .extracting(StoredAlert::id)
        .containsExactly(acme2.id(), globex.id(), acme.id());
    assertThat(list(Set.of(), Set.of("initech"))).isEmpty();
    assertThat(list(Set.of(), Set.of())).isEmpty();
    assertThat(list(Set.of(), null))
        .extracting(StoredAlert::id)
        .containsExactly(acme2.id(), globex.id(), global.id(), acme.id());

    update(acme, AlertState.RESOLVED, "{}");
    assertThat(list(Set.of(AlertState.OPEN), Set.of("acme")))
        .extracting(StoredAlert::id)
        .containsExactly(acme2.id());
  }

  // ---------------------------------------------------------------- prune

  @Test
  void pruneDeletesOnlyResolvedAlertsPastTheRetention() {
    StoredAlert old = update(open("rule", "old", null), AlertState.RESOLVED, "{}");
    StoredAlert active = open("rule", "active", null);
    StoredAlert acked = update(open("rule", "acked", null), AlertState.ACKNOWLEDGED, "{}");
    fixture.passTime(Duration.ofMillis(400));
    StoredAlert recent = update(open("rule", "recent", null), AlertState.RESOLVED, "{}");

    assertThat(backend.pruneAlerts(new AlertPruneRequest(Duration.ofMillis(200), 100)))
        .isEqualTo(1);

    assertThat(backend.findAlert(old.id())).isEmpty();
    assertThat(backend.findAlert(recent.id())).isPresent();
    assertThat(all())
        .extracting(StoredAlert::id)
        .containsExactlyInAnyOrder(active.id(), acked.id(), recent.id());

    fixture.passTime(Duration.ofMillis(5));
    assertThat(backend.pruneAlerts(new AlertPruneRequest(Duration.ZERO, 100))).isEqualTo(1);
    assertThat(all())
        .extracting(StoredAlert::id)
        .containsExactlyInAnyOrder(active.id(), acked.id());
    assertThat(list(Set.of(AlertState.RESOLVED), null)).isEmpty();
    // A rule and subject whose resolved alert was pruned can be opened again.
    assertThat(openResult("rule", "old", null).created()).isTrue();
  }

  @Test
  void pruneDeletesAtMostLimitAlerts() {
    for (int i = 0; i < 3; i++) {
      update(open("rule", "s" + i, null), AlertState.RESOLVED, "{}");
    }
    fixture.passTime(Duration.ofMillis(5));

    assertThat(backend.pruneAlerts(new AlertPruneRequest(Duration.ZERO, 2))).isEqualTo(2);
    assertThat(backend.pruneAlerts(new AlertPruneRequest(Duration.ZERO, 2))).isEqualTo(1);
    assertThat(backend.pruneAlerts(new AlertPruneRequest(Duration.ZERO, 2))).isZero();
    assertThat(all()).isEmpty();
  }

  // ---------------------------------------------------------------- samples

  @Test
  void writeSampleStampsItWithBackendNow() {
    Instant before = serverNow();
    StoredSample s = backend.writeSample(new SampleWriteRequest("{\"pending\":3}", HOUR));
    Instant after = serverNow();

    assertThat(s.body()).isEqualTo("{\"pending\":3}");
    assertTimeBetween("at", s.at(), before, after);
    assertThat(backend.samples(new SampleListRequest(HOUR, 10))).containsExactly(s);
  }

  @Test
  void samplesAreOldestFirstWithinSince() {
    StoredSample s1 = sample("{\"n\":1}", HOUR);
    fixture.passTime(Duration.ofMillis(400));
    StoredSample s2 = sample("{\"n\":2}", HOUR);
    StoredSample s3 = sample("{\"n\":3}", HOUR);

    assertThat(backend.samples(new SampleListRequest(HOUR, 100))).containsExactly(s1, s2, s3);
    assertThat(backend.samples(new SampleListRequest(Duration.ofMillis(200), 100)))
        .containsExactly(s2, s3);
  }

  @Test
  void aLimitKeepsTheNewestSamples() {
    List<StoredSample> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      written.add(sample("{\"n\":" + i + "}", HOUR));
    }
    assertThat(backend.samples(new SampleListRequest(HOUR, 2)))
        .containsExactly(written.get(3), written.get(4));
    assertThat(backend.samples(new SampleListRequest(HOUR, 5))).containsExactlyElementsOf(written);
  }

  @Test
  void writeSampleDropsSamplesOlderThanKeep() {
    sample("{\"n\":1}", HOUR);
    sample("{\"n\":2}", HOUR);
    fixture.passTime(Duration.ofMillis(400));
    StoredSample s3 = sample("{\"n\":3}", HOUR);

    StoredSample s4 = sample("{\"n\":4}", Duration.ofMillis(200));

    assertThat(backend.samples(new SampleListRequest(HOUR, 100))).containsExactly(s3, s4);
  }

  @Test
  void equalBodiesAreSeparateSamples() {
    StoredSample s1 = sample("{\"same\":1}", HOUR);
    StoredSample s2 = sample("{\"same\":1}", HOUR);
    assertThat(backend.samples(new SampleListRequest(HOUR, 100))).containsExactly(s1, s2);
  }

  // ---------------------------------------------------------------- stats

  @Test
  void statsCountJobsByQueueAndState() {
    enqueue(jobs.of("a").queue("q1").build());
    enqueue(jobs.of("a").queue("q1").build());
    enqueue(jobs.of("b").queue("q2").build());
    enqueue(jobs.of("b").queue("q2").build());
    enqueue(jobs.of("b").queue("q2").build());
    enqueue(jobs.of("a").queue("q1").tenant("other").build());
    Job running = claimType("b");
    succeed(claimType("b"));
    NewJob cancelled = jobs.of("c").queue("q1").build();
    enqueue(cancelled);
    backend.cancel(new CancelRequest(ref(cancelled), "not needed"));

    BackendStats stats = backend.stats(new StatsRequest("default", HOUR));

    assertThat(nonZero(stats.countsByQueue().get("q1")))
        .isEqualTo(Map.of(JobState.PENDING, 2L, JobState.CANCELLED, 1L));
    assertThat(nonZero(stats.countsByQueue().get("q2")))
        .isEqualTo(Map.of(JobState.PENDING, 1L, JobState.RUNNING, 1L, JobState.SUCCEEDED, 1L));
    assertThat(running.queue()).isEqualTo("q2");

    BackendStats everyTenant = backend.stats(new StatsRequest(null, HOUR));
    assertThat(nonZero(everyTenant.countsByQueue().get("q1")))
        .isEqualTo(Map.of(JobState.PENDING, 3L, JobState.CANCELLED, 1L));
    BackendStats other = backend.stats(new StatsRequest("other", HOUR));
    assertThat(nonZero(other.countsByQueue().get("q1"))).isEqualTo(Map.of(JobState.PENDING, 1L));
    assertThat(nonZero(other.countsByQueue().get("q2"))).isEmpty();
  }

  @Test
  void statsCountJobsByQueueThroughRetriesAndPrune() {
    enqueue(jobs.of("a").queue("q1").build());
    Job first = claimType("a");
    backend.finish(
        FinishRequest.of(new Finish.Retry(first.lease().orElseThrow(), err(), Duration.ZERO)));
    fixture.passTime(Duration.ofMillis(5));
    Job second = claimType("a");
    assertThat(nonZero(backend.stats(new StatsRequest(null, HOUR)).countsByQueue().get("q1")))
        .isEqualTo(Map.of(JobState.RUNNING, 1L));
    succeed(second);
    fixture.passTime(Duration.ofMillis(5));
    backend.prune(new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ZERO, 100));
    assertThat(nonZero(backend.stats(new StatsRequest(null, HOUR)).countsByQueue().get("q1")))
        .isEmpty();
  }

  @Test
  void statsCountFinishesWithinTheWindowByTypeAndOutcome() {
    enqueue(jobs.of("old").queue("q1").build());
    succeed(claimType("old"));
    fixture.passTime(Duration.ofMillis(400));

    for (int i = 0; i < 2; i++) {
      enqueue(jobs.of("mail").queue("q1").build());
      succeed(claimType("mail"));
    }
    enqueue(jobs.of("mail").queue("q2").build());
    fail(claimType("mail"));
    enqueue(jobs.of("mail").queue("q2").build());
    backend.finish(
        FinishRequest.of(new Finish.Cancel(claimType("mail").lease().orElseThrow(), "stop")));
    NewJob cancelled = jobs.of("report").queue("q2").build();
    enqueue(cancelled);
    backend.cancel(new CancelRequest(ref(cancelled), "not needed"));
    enqueue(jobs.of("report").queue("q1").build());
    claimType("report"); // running: not finished
    enqueue(jobs.of("report").queue("q1").tenant("other").build());
    fail(claimType("report"));

    BackendStats recent = backend.stats(new StatsRequest("default", Duration.ofMillis(200)));
    assertThat(nonZeroByKey(recent.finishedInWindowByType()))
        .isEqualTo(
            Map.of(
                "mail",
                Map.of(JobState.SUCCEEDED, 2L, JobState.FAILED, 1L, JobState.CANCELLED, 1L),
                "report",
                Map.of(JobState.CANCELLED, 1L)));

    BackendStats hour = backend.stats(new StatsRequest("default", HOUR));
    assertThat(nonZero(hour.finishedInWindowByType().get("old")))
        .isEqualTo(Map.of(JobState.SUCCEEDED, 1L));

    BackendStats everyTenant = backend.stats(new StatsRequest(null, Duration.ofMillis(200)));
    assertThat(nonZero(everyTenant.finishedInWindowByType().get("report")))
        .isEqualTo(Map.of(JobState.CANCELLED, 1L, JobState.FAILED, 1L));
    assertThat(everyTenant.finishedInWindowByType()).doesNotContainKey("old");
  }

  @Test
  void aJobRedrivenSinceCountsOnceByItsLatestFinish() {
    NewJob job = jobs.of("flaky").queue("q1").build();
    enqueue(job);
    fail(claimType("flaky"));
    assertThat(nonZero(finishedInHour().get("flaky"))).isEqualTo(Map.of(JobState.FAILED, 1L));

    backend.redrive(new RedriveRequest(ref(job)));
    assertThat(nonZero(finishedInHour().get("flaky"))).isEmpty();

    succeed(claimType("flaky"));
    assertThat(nonZero(finishedInHour().get("flaky"))).isEqualTo(Map.of(JobState.SUCCEEDED, 1L));
  }

  // ---------------------------------------------------------------- helpers

  private Instant serverNow() {
    return backend.ping().serverTime();
  }

  private StoredAlert open(String rule, String subject, String tenant) {
    AlertOpenResult r = openResult(rule, subject, tenant);
    assertThat(r.created()).as("alert " + rule + "/" + subject + " created").isTrue();
    return r.alert();
  }

  private AlertOpenResult openResult(String rule, String subject, String tenant) {
    return backend.openAlert(
        new AlertOpenRequest(jobs.nextId(), rule, subject, tenant, "{\"opened\":true}"));
  }

  private StoredAlert update(StoredAlert a, AlertState state, String body) {
    AlertUpdateResult r =
        backend.updateAlert(new AlertUpdateRequest(a.id(), a.version(), state, body));
    assertThat(r.changed()).as("update of " + a.id() + " to " + state).isTrue();
    return r.alert().orElseThrow();
  }

  private List<StoredAlert> list(Set<AlertState> states, Set<String> tenants) {
    List<StoredAlert> out = new ArrayList<>();
    UUID before = null;
    do {
      AlertPage page = backend.listAlerts(new AlertListRequest(states, tenants, before, 2));
      out.addAll(page.alerts());
      before = page.next().orElse(null);
    } while (before != null);
    return out;
  }

  private List<StoredAlert> all() {
    return list(Set.of(), null);
  }

  /** Writes a sample and lets a moment pass, so samples written one after another never tie. */
  private StoredSample sample(String body, Duration keep) {
    StoredSample s = backend.writeSample(new SampleWriteRequest(body, keep));
    fixture.passTime(Duration.ofMillis(2));
    return s;
  }

  private void enqueue(NewJob job) {
    backend.enqueue(EnqueueRequest.of(job));
  }

  private static JobRef ref(NewJob job) {
    return new JobRef(job.tenant(), job.id());
  }

  private Job claimType(String type) {
    List<Job> claimed =
        backend
            .claim(
                new ClaimRequest(
                    "w-" + type, Set.of(), Set.of(type), Set.of(), null, 1, LONG_LEASE))
            .jobs();
    assertThat(claimed).as("claimed jobs of type " + type).hasSize(1);
    return claimed.get(0);
  }

  private void succeed(Job job) {
    assertThat(backend.finish(FinishRequest.of(new Finish.Succeed(job.lease().orElseThrow()))))
        .satisfies(r -> assertThat(r.applied()).containsExactly(job.id()));
  }

  private void fail(Job job) {
    assertThat(backend.finish(FinishRequest.of(new Finish.Fail(job.lease().orElseThrow(), err()))))
        .satisfies(r -> assertThat(r.applied()).containsExactly(job.id()));
  }

  private static JobError err() {
    return JobError.of("boom");
  }

  private Map<String, Map<JobState, Long>> finishedInHour() {
    return backend.stats(new StatsRequest(null, HOUR)).finishedInWindowByType();
  }

  private static Map<JobState, Long> nonZero(Map<JobState, Long> counts) {
    Map<JobState, Long> result = new HashMap<>();
    if (counts != null) {
      counts.forEach(
          (state, n) -> {
            if (n != 0) {
              result.put(state, n);
            }
          });
    }
    return result;
  }

  private static Map<String, Map<JobState, Long>> nonZeroByKey(
      Map<String, Map<JobState, Long>> counts) {
    Map<String, Map<JobState, Long>> result = new HashMap<>();
    counts.forEach(
        (key, byState) -> {
          Map<JobState, Long> n = nonZero(byState);
          if (!n.isEmpty()) {
            result.put(key, n);
          }
        });
    return result;
  }

  private static void assertTimeBetween(String what, Instant actual, Instant lower, Instant upper) {
    assertThat(actual).as(what).isNotNull();
    assertThat(actual).as(what).isBetween(lower.minus(SLACK), upper.plus(SLACK));
  }
}
