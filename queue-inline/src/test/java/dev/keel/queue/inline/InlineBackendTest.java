package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.Lease;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.testkit.ManualClock;
import dev.keel.queue.testkit.TestJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What only the inline backend promises, beyond the shared conformance suite. */
class InlineBackendTest {
  private static final Duration LEASE = Duration.ofSeconds(30);

  private final ManualClock clock = ManualClock.startingAtDefault();
  private final InlineBackend backend = InlineBackend.create(clock);
  private final TestJobs jobs = new TestJobs(clock);

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void providerIsFoundByServiceLoaderAsInline() {
    QueueBackendProvider provider =
        ServiceLoader.load(QueueBackendProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("inline"))
            .findFirst()
            .orElseThrow();

    assertThat(provider).isInstanceOf(InlineBackendProvider.class);
    assertThat(provider.urlVariables()).isEmpty();
    try (QueueBackend opened = provider.open(new BackendSettings(null, clock, Map.of()))) {
      assertThat(opened.capabilities())
          .isEqualTo(
              new BackendCapabilities("inline", false, false, true, 10_000)
                  .withSchedules(true)
                  .withOpsData(true)
                  .withCoordination(true)
                  .withSteps(true));
      assertThat(opened.ping().serverTime()).isEqualTo(clock.instant());
    }
  }

  @Test
  void timesComeFromTheInjectedClock() {
    NewJob job = jobs.of("work").delay(Duration.ofMinutes(5)).build();
    enqueue(job);

    Job stored = find(job);
    assertThat(stored.createdAt()).isEqualTo(clock.instant());
    assertThat(stored.runAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));

    clock.advance(Duration.ofMinutes(5));
    Job claimed = claim(1).get(0);
    assertThat(claimed.startedAt()).isEqualTo(clock.instant());
    assertThat(claimed.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
  }

  @Test
  void listenersAreWokenWheneverJobsBecomeClaimable() {
    List<String> signals = new CopyOnWriteArrayList<>();
    Subscription subscription = backend.subscribe(signals::add);

    enqueue(jobs.of("work").queue("enqueued").build());
    assertThat(signals).containsExactly("enqueued");

    enqueue(jobs.of("work").queue("q").maxAttempts(1).build());
    signals.clear();
    finishFirst(lease -> new Finish.Retry(lease, JobError.of("x"), Duration.ZERO));
    finishFirst(lease -> new Finish.Snooze(lease, Duration.ZERO));
    finishFirst(Finish.Release::new);
    assertThat(signals).containsExactly("enqueued", "enqueued", "enqueued");

    Job running = claim(1).get(0);
    clock.advance(LEASE.plusSeconds(1));
    signals.clear();
    backend.rescue(new RescueRequest(10));
    assertThat(signals).containsExactly(running.queue());

    Job failing = claim(1).get(0);
    backend.finish(
        FinishRequest.of(new Finish.Fail(failing.lease().orElseThrow(), JobError.of("x"))));
    signals.clear();
    backend.redrive(new RedriveRequest(new JobRef(failing.tenant(), failing.id())));
    assertThat(signals).containsExactly(failing.queue());

    subscription.close();
    enqueue(jobs.of("work").queue("after-close").build());
    assertThat(signals).doesNotContain("after-close");
  }

  @Test
  void aFailingListenerDoesNotFailTheEnqueue() {
    List<String> signals = new CopyOnWriteArrayList<>();
    backend.subscribe(
        queue -> {
          throw new IllegalStateException("listener broke");
        });
    backend.subscribe(signals::add);
    NewJob job = jobs.of("work").build();

    assertThat(enqueue(job).created()).isTrue();
    assertThat(signals).containsExactly("default");
  }

  @Test
  void callsAfterCloseSayTheBackendIsClosed() {
    backend.close();

    assertThatThrownBy(() -> backend.ping())
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> enqueue(jobs.of("work").build()))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(backend.capabilities().name()).isEqualTo("inline");
  }

  @Test
  void claimsFinishesCancelsAndRescuesRacingLeaveEveryJobInExactlyOneState() throws Exception {
    int total = 2000;
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      batch.add(jobs.of("race").queue("q" + (i % 3)).priority(i % 5).payloadN(i).build());
    }
    backend.enqueue(new EnqueueRequest(batch));

    int threads = 6;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int t = 0; t < threads - 1; t++) {
      String worker = "w" + t;
      tasks.add(
          () -> {
            start.await(10, TimeUnit.SECONDS);
            List<Job> got;
            do {
              got =
                  backend
                      .claim(new ClaimRequest(worker, Set.of(), Set.of(), Set.of(), null, 7, LEASE))
                      .jobs();
              for (Job job : got) {
                Finish finish =
                    ThreadLocalRandom.current().nextInt(4) == 0
                        ? new Finish.Release(job.lease().orElseThrow())
                        : new Finish.Succeed(job.lease().orElseThrow());
                backend.finish(FinishRequest.of(finish));
              }
            } while (!got.isEmpty());
            return null;
          });
    }
    tasks.add(
        () -> {
          start.await(10, TimeUnit.SECONDS);
          for (int i = 0; i < total; i += 3) {
            backend.cancel(new CancelRequest(new JobRef("default", batch.get(i).id()), "race"));
            backend.rescue(new RescueRequest(5));
          }
          return null;
        });
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // Released jobs may be left after the claimers stopped: finish them here.
    List<Job> rest;
    while (!(rest = claim(100)).isEmpty()) {
      for (Job job : rest) {
        backend.finish(FinishRequest.of(new Finish.Succeed(job.lease().orElseThrow())));
      }
    }

    List<Job> all = new ArrayList<>();
    JobQuery query = JobQuery.tenant("default").withLimit(JobQuery.MAX_LIMIT);
    for (var page = backend.list(query); ; page = backend.list(query)) {
      all.addAll(page.jobs());
      if (page.next().isEmpty()) {
        break;
      }
      query = query.withAfter(page.next().get());
    }
    assertThat(all).hasSize(total);
    Map<JobState, Long> byState =
        all.stream().collect(Collectors.groupingBy(Job::state, Collectors.counting()));
    assertThat(byState.keySet()).containsOnly(JobState.SUCCEEDED, JobState.CANCELLED);
    assertThat(all)
        .filteredOn(j -> j.state() == JobState.SUCCEEDED)
        .allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
    assertThat(backend.stats(new StatsRequest(null, LEASE)).countsByState())
        .containsAllEntriesOf(byState);
  }

  private void finishFirst(Function<Lease, Finish> finish) {
    Job job = claim(1).get(0);
    backend.finish(FinishRequest.of(finish.apply(job.lease().orElseThrow())));
  }

  private EnqueueResult enqueue(NewJob job) {
    return backend.enqueue(EnqueueRequest.of(job)).results().get(0);
  }

  private Job find(NewJob job) {
    return backend.find(new JobRef(job.tenant(), job.id())).orElseThrow();
  }

  private List<Job> claim(int limit) {
    return backend
        .claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, limit, LEASE))
        .jobs();
  }
}
