package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.FencedLock;
import dev.keel.queue.InvalidInputException;
import dev.keel.queue.Keel;
import dev.keel.queue.LockLostException;
import dev.keel.queue.Locks;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fenced locks ({@link Keel#locks()}): one holder per name, tokens that only grow, leases on the
 * backend's clock, renewal while held, loss learned by a holder that was cut off, and contention
 * from threads of two {@code Keel} nodes sharing one backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class LockConformanceTest {
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration PAST_SHORT = Duration.ofMillis(400);
  private static final Duration LONG = Duration.ofMinutes(5);

  private BackendFixture fixture;
  private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

  protected abstract BackendFixture createFixture();

  @BeforeAll
  void setUpFixture() {
    fixture = createFixture();
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
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeAfterTest.add(c);
    return c;
  }

  private QueueBackend empty() {
    return closing(fixture.openEmpty());
  }

  private QueueBackend another() {
    return closing(fixture.openAnother());
  }

  private Keel keelOn(QueueBackend b) {
    return closing(Keel.builder().backend(b).clock(fixture.clock()).build());
  }

  // ---------------------------------------------------------------- the SPI

  @Test
  void oneHolderAtATimeAndEveryAcquisitionGetsAGreaterToken() {
    QueueBackend b = empty();
    LockResult first = b.acquireLock(new LockRequest("report", "h1", 0, LONG));
    assertThat(first.held()).isTrue();
    assertThat(first.token()).isPositive();
    assertThat(first.expiresAt()).isAfter(b.ping().serverTime().plus(LONG).minusSeconds(5));

    LockResult refused = b.acquireLock(new LockRequest("report", "h2", 0, LONG));
    assertThat(refused.held()).isFalse();
    assertThat(refused.token()).isZero();
    assertThat(refused.expiresAt()).isEqualTo(first.expiresAt());

    LockResult again = b.acquireLock(new LockRequest("report", "h1", 0, LONG));
    assertThat(again.held()).as("the holder itself renews").isTrue();
    assertThat(again.token()).isEqualTo(first.token());

    assertThat(b.releaseLock(new LockRequest("report", "h2", first.token(), LONG))).isFalse();
    assertThat(b.releaseLock(new LockRequest("report", "h1", first.token(), LONG))).isTrue();
    assertThat(b.releaseLock(new LockRequest("report", "h1", first.token(), LONG))).isFalse();

    LockResult next = b.acquireLock(new LockRequest("report", "h2", 0, LONG));
    assertThat(next.held()).isTrue();
    assertThat(next.token()).isGreaterThan(first.token());
    LockResult otherName = b.acquireLock(new LockRequest("other", "h1", 0, LONG));
    assertThat(otherName.held()).as("names are independent").isTrue();
  }

  @Test
  void anExpiredLeaseIsTakenOverAndTheOldHolderCanNeitherRenewNorRelease() {
    QueueBackend b = empty();
    LockResult paused = b.acquireLock(new LockRequest("sync", "paused", 0, SHORT));
    assertThat(b.renewLock(new LockRequest("sync", "paused", paused.token(), SHORT)).held())
        .isTrue();
    fixture.passTime(PAST_SHORT);

    LockResult taker = b.acquireLock(new LockRequest("sync", "taker", 0, LONG));
    assertThat(taker.held()).isTrue();
    assertThat(taker.token()).isGreaterThan(paused.token());
    assertThat(b.renewLock(new LockRequest("sync", "paused", paused.token(), SHORT)).held())
        .isFalse();
    assertThat(b.releaseLock(new LockRequest("sync", "paused", paused.token(), SHORT))).isFalse();
    assertThat(b.renewLock(new LockRequest("sync", "taker", taker.token(), LONG)).held()).isTrue();
  }

  @Test
  void anExpiredLeaseCannotBeRenewedEvenWhenNobodyTookIt() {
    QueueBackend b = empty();
    LockResult r = b.acquireLock(new LockRequest("quiet", "h", 0, SHORT));
    fixture.passTime(PAST_SHORT);
    assertThat(b.renewLock(new LockRequest("quiet", "h", r.token(), SHORT)).held()).isFalse();
    LockResult back = b.acquireLock(new LockRequest("quiet", "h", 0, SHORT));
    assertThat(back.held()).isTrue();
    assertThat(back.token()).as("a new acquisition, a new token").isGreaterThan(r.token());
  }

  @Test
  void tokensSurviveReleasesAndAreSharedByNodes() {
    QueueBackend b = empty();
    QueueBackend b2 = another();
    long last = 0;
    for (int i = 0; i < 10; i++) {
      QueueBackend node = i % 2 == 0 ? b : b2;
      LockResult r = node.acquireLock(new LockRequest("n", "h" + i, 0, LONG));
      assertThat(r.held()).isTrue();
      assertThat(r.token()).isGreaterThan(last);
      last = r.token();
      assertThat(node.releaseLock(new LockRequest("n", "h" + i, r.token(), LONG))).isTrue();
    }
  }

  // ---------------------------------------------------------------- through Keel

  @Test
  void aKeelLockIsExclusiveRenewedWhileHeldAndReleasedOnClose() throws Exception {
    Keel one = keelOn(empty());
    Keel two = keelOn(another());
    FencedLock lock = one.locks().acquire("nightly-report", Duration.ofMillis(600));
    assertThat(lock.isHeld()).isTrue();
    assertThat(lock.name()).isEqualTo("nightly-report");
    assertThat(two.locks().tryAcquire("nightly-report", LONG)).isEmpty();

    // Renewed in the background: still held, and still exclusive, well past one lease of real
    // time (on a manual clock the backend's time stands still, so this checks exclusivity alone).
    await().pollDelay(Duration.ofMillis(900)).atMost(Duration.ofSeconds(5)).until(lock::isHeld);
    assertThat(two.locks().tryAcquire("nightly-report", LONG)).isEmpty();
    assertThat(lock.isHeld()).isTrue();

    lock.close();
    lock.close();
    assertThat(lock.isHeld()).isFalse();
    assertThatThrownBy(lock::ensureHeld).isInstanceOf(LockLostException.class);
    FencedLock next = closing(two.locks().tryAcquire("nightly-report", LONG).orElseThrow());
    assertThat(next.token()).isGreaterThan(lock.token());
  }

  @Test
  void tryAcquireWaitsUpToItsBoundAndAcquireWaitsForARelease() throws Exception {
    Keel one = keelOn(empty());
    Keel two = keelOn(another());
    FencedLock held = one.locks().acquire("export", LONG);
    long start = System.nanoTime();
    Optional<FencedLock> none = two.locks().tryAcquire("export", LONG, Duration.ofMillis(200));
    assertThat(none).isEmpty();
    assertThat(System.nanoTime() - start)
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));

    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch waiting = new CountDownLatch(1);
      Future<FencedLock> later =
          pool.submit(
              () -> {
                waiting.countDown();
                return two.locks().acquire("export", LONG);
              });
      waiting.await();
      assertThat(later).isNotDone();
      held.close();
      FencedLock got = closing(later.get(10, TimeUnit.SECONDS));
      assertThat(got.token()).isGreaterThan(held.token());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aHolderCutOffFromTheBackendLearnsItLostTheLockAndTheNextHolderGetsAGreaterToken()
      throws Exception {
    QueueBackend shared = empty();
    AtomicBoolean cutOff = new AtomicBoolean();
    QueueBackend partitioned =
        new ForwardingQueueBackend() {
          @Override
          protected QueueBackend delegate() {
            return shared;
          }

          @Override
          public LockResult renewLock(LockRequest request) {
            if (cutOff.get()) {
              throw new BackendUnavailableException("partitioned by the test");
            }
            return super.renewLock(request);
          }

          @Override
          public boolean releaseLock(LockRequest request) {
            if (cutOff.get()) {
              throw new BackendUnavailableException("partitioned by the test");
            }
            return super.releaseLock(request);
          }

          @Override
          public void close() {}
        };
    Keel isolated = keelOn(partitioned);
    Keel healthy = keelOn(another());
    FencedLock lock = isolated.locks().acquire("ledger", Duration.ofMillis(400));
    CountDownLatch lost = new CountDownLatch(1);
    lock.onLost(lost::countDown);

    cutOff.set(true);
    assertThat(lost.await(10, TimeUnit.SECONDS)).as("onLost ran").isTrue();
    fixture.passTime(Duration.ofMillis(500));
    assertThat(lock.isHeld()).isFalse();
    assertThatThrownBy(lock::ensureHeld)
        .isInstanceOf(LockLostException.class)
        .hasMessageContaining("ledger");

    FencedLock next =
        closing(healthy.locks().tryAcquire("ledger", LONG, Duration.ofSeconds(10)).orElseThrow());
    assertThat(next.token()).isGreaterThan(lock.token());
    cutOff.set(false);
    lock.close();
    // Even a release the old holder sends with its old token frees nothing of the new holder's.
    assertThat(
            shared.releaseLock(
                new LockRequest("ledger", "any-holder", lock.token(), Duration.ofSeconds(1))))
        .isFalse();
    assertThat(shared.renewLock(new LockRequest("ledger", "x", next.token(), LONG)).held())
        .as("a renewal needs the holder too, not only the token")
        .isFalse();
    assertThat(next.isHeld()).isTrue();
    assertThat(shared.acquireLock(new LockRequest("ledger", "third", 0, LONG)).held())
        .as("still held by the next holder")
        .isFalse();
    CountDownLatch ranAtOnce = new CountDownLatch(1);
    lock.onLost(ranAtOnce::countDown);
    assertThat(ranAtOnce.getCount()).as("lost before it was closed: onLost runs at once").isZero();
  }

  @Test
  void threadsOfTwoNodesContendAndHoldTheLockOneAtATimeInTokenOrder() throws Exception {
    Keel one = keelOn(empty());
    Keel two = keelOn(another());
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger worst = new AtomicInteger();
    List<Long> tokens = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<?>> futures = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 6; t++) {
      Locks locks = (t % 2 == 0 ? one : two).locks();
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 8; i++) {
                  try (FencedLock lock = locks.acquire("counter", Duration.ofSeconds(10))) {
                    int now = inside.incrementAndGet();
                    worst.accumulateAndGet(now, Math::max);
                    tokens.add(lock.token());
                    Thread.yield();
                    inside.decrementAndGet();
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
    assertThat(worst.get()).isEqualTo(1);
    assertThat(tokens).hasSize(48);
    for (int i = 1; i < tokens.size(); i++) {
      assertThat(tokens.get(i)).as("token %d", i).isGreaterThan(tokens.get(i - 1));
    }
  }

  @Test
  void badNamesAndLeasesAreRefusedWithTheField() {
    Keel keel = keelOn(empty());
    assertThatThrownBy(() -> keel.locks().tryAcquire(" ", LONG))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("name"));
    assertThatThrownBy(() -> keel.locks().tryAcquire("x".repeat(256), LONG))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("name"));
    assertThatThrownBy(() -> keel.locks().tryAcquire("ok", Duration.ofMillis(10)))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.field()).isEqualTo("lease");
              assertThat(e.rule()).contains("between");
            });
    assertThatThrownBy(() -> keel.locks().tryAcquire("ok", LONG, Duration.ofMillis(-1)))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("wait"));
    assertThat(closing(keel.locks().tryAcquire("ok", LONG).orElseThrow()).isHeld())
        .as("nothing was taken by the refusals")
        .isTrue();
  }
}
