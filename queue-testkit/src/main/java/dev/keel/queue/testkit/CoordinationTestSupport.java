package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the coordination suites (concurrency keys, batches, dependencies) share: a fixture, one
 * empty backend per test and more over its namespace, {@code Keel} nodes and workers closed after
 * each test, and SPI shorthands.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CoordinationTestSupport {
  static final Duration LEASE = Duration.ofMinutes(5);

  BackendFixture fixture;
  TestJobs jobs;
  private QueueBackend backend;
  private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

  protected abstract BackendFixture createFixture();

  @BeforeAll
  void setUpFixture() {
    fixture = createFixture();
    jobs = new TestJobs(fixture.clock());
  }

  @AfterAll
  void tearDownFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void closeResources() throws Exception {
    Collections.reverse(closeAfterTest);
    for (AutoCloseable c : closeAfterTest) {
      c.close();
    }
    closeAfterTest.clear();
    if (backend != null) {
      backend.close();
      backend = null;
    }
  }

  /** Closed after the current test, in reverse order of registration. */
  void closeAfter(AutoCloseable c) {
    closeAfterTest.add(c);
  }

  QueueBackend empty() {
    backend = fixture.openEmpty();
    return backend;
  }

  QueueBackend another() {
    QueueBackend b = fixture.openAnother();
    closeAfterTest.add(b);
    return b;
  }

  Keel node(QueueBackend b, Consumer<Keel.Builder> configure) {
    Keel.Builder builder = Keel.builder().backend(b).clock(fixture.clock());
    configure.accept(builder);
    Keel keel = builder.build();
    closeAfterTest.add(keel);
    return keel;
  }

  Worker start(Keel keel, int concurrency) {
    Worker w =
        keel.worker()
            .queue("default", concurrency)
            .pollInterval(Duration.ofMillis(20))
            .build()
            .start();
    closeAfterTest.add(w::close);
    return w;
  }

  static void enqueue(QueueBackend b, NewJob... list) {
    b.enqueue(new EnqueueRequest(List.of(list)));
  }

  static List<Job> claim(QueueBackend b, int limit) {
    return b.claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, limit, LEASE)).jobs();
  }

  static Set<UUID> ids(List<Job> list) {
    Set<UUID> out = new java.util.HashSet<>();
    list.forEach(j -> out.add(j.id()));
    return out;
  }

  static FencedResult finish(QueueBackend b, Finish f) {
    FencedResult r = b.finish(FinishRequest.of(f));
    assertThat(r.applied()).containsExactly(f.lease().jobId());
    return r;
  }

  /** Succeeds a claimed job and resolves what waits for it, as a worker and core would. */
  static dev.keel.queue.spi.ResolveResult succeedAndResolve(QueueBackend b, Job job) {
    return b.resolveBlocked(
        dev.keel.queue.spi.ResolveRequest.of(
            finish(b, new Finish.Succeed(job.lease().orElseThrow())).toResolve()));
  }

  static Job find(QueueBackend b, String tenant, UUID id) {
    return b.find(new JobRef(tenant, id)).orElseThrow();
  }

  static Job find(QueueBackend b, NewJob job) {
    return find(b, job.tenant(), job.id());
  }
}
