package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelayConcurrencyTest {
  static OutboxTestDatabase db;
  static Outbox outbox;
  static Jdbi jdbi;

  @BeforeAll
  static void setUp() {
    db = OutboxTestDatabase.forClass(RelayConcurrencyTest.class);
    outbox = db.outbox();
    jdbi = db.jdbi();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void empty() {
    db.execute("DELETE FROM \"" + db.schema() + "\".outbox_messages");
  }

  @Test
  void fourRelaysDeliverEveryMessageExactlyOnceNeverConcurrentlyAndInOrderPerKey()
      throws Exception {
    int keys = 40;
    int perKey = 25;
    // Writers on 4 threads, each key written by several of them: the order a key's messages
    // commit in is the order they must be delivered in.
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<Future<?>> writes = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      writes.add(
          writers.submit(
              () -> {
                for (int i = writer; i < perKey; i += 4) {
                  int n = i;
                  jdbi.useTransaction(
                      h -> {
                        for (int k = 0; k < keys; k += 2) {
                          outbox.record(h, OutboxMessage.of("e", "key-" + k, String.valueOf(n)));
                        }
                      });
                  jdbi.useTransaction(
                      h -> {
                        for (int k = 1; k < keys; k += 2) {
                          outbox.record(h, OutboxMessage.of("e", "key-" + k, String.valueOf(n)));
                        }
                      });
                }
              }));
    }
    RecordingSink sink = new RecordingSink();
    List<OutboxRelay> relays = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      relays.add(
          outbox
              .relay(sink)
              .id("relay-" + r)
              .batchSize(16)
              .publishConcurrency(2)
              .pollInterval(Duration.ofMillis(20))
              .build()
              .start());
    }
    for (Future<?> f : writes) {
      f.get(60, TimeUnit.SECONDS);
    }
    writers.shutdown();
    int total = keys * perKey;
    await().atMost(Duration.ofSeconds(60)).until(() -> sink.published.size() >= total);
    relays.forEach(OutboxRelay::close);

    assertThat(sink.violations).isEmpty();
    assertThat(sink.published).hasSize(total);
    assertThat(sink.published.stream().map(RelayedMessage::id).distinct()).hasSize(total);
    Map<String, Long> lastSeq = new HashMap<>();
    for (RelayedMessage m : sink.published) {
      Long prev = lastSeq.put(m.key(), m.seq());
      assertThat(prev == null || prev < m.seq())
          .as("key %s delivered seq %s after %s", m.key(), m.seq(), prev)
          .isTrue();
    }
    long delivered = relays.stream().mapToLong(r -> r.stats().delivered()).sum();
    assertThat(delivered).isEqualTo(total);
    assertThat(relays.stream().filter(r -> r.stats().delivered() > 0).count())
        .as("work was shared")
        .isGreaterThan(1);
  }

  @Test
  void staleRelayWhoseLeaseExpiredCannotMarkTheMessageDelivered() throws Exception {
    UUID id = jdbi.inTransaction(h -> outbox.record(h, OutboxMessage.of("e", "fenced", "1")));
    CountDownLatch staleInSink = new CountDownLatch(1);
    CountDownLatch releaseStale = new CountDownLatch(1);
    OutboxSink stuck =
        m -> {
          staleInSink.countDown();
          releaseStale.await();
          return SinkReceipt.of("stale");
        };
    OutboxRelay stale =
        outbox.relay(stuck).id("stale").leaseDuration(Duration.ofMillis(300)).build();
    OutboxRelay fresh =
        outbox
            .relay(m -> SinkReceipt.of("fresh"))
            .id("fresh")
            .leaseDuration(Duration.ofSeconds(30))
            .build();
    ExecutorService t = Executors.newSingleThreadExecutor();
    Future<Integer> staleRun = t.submit(stale::runOnce);
    assertThat(staleInSink.await(5, TimeUnit.SECONDS)).isTrue();
    OutboxRecord claimed = outbox.find(id).orElseThrow();
    assertThat(claimed.state()).isEqualTo(OutboxState.IN_FLIGHT);
    assertThat(claimed.leaseOwner()).isEqualTo("stale");
    assertThat(claimed.leaseToken()).isEqualTo(1);

    // While the lease holds, nobody else can take the message.
    assertThat(fresh.runOnce()).isZero();
    // Once it expires (database clock), another relay re-claims and delivers it.
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> fresh.runOnce() == 1);
    OutboxRecord delivered = outbox.find(id).orElseThrow();
    assertThat(delivered.state()).isEqualTo(OutboxState.DELIVERED);
    assertThat(delivered.receipt()).isEqualTo("fresh");
    assertThat(delivered.leaseToken()).isEqualTo(2);
    assertThat(delivered.attempts()).isEqualTo(2);

    // The stale relay finishes late: its fenced mark-delivered changes nothing.
    releaseStale.countDown();
    assertThat(staleRun.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    t.shutdown();
    assertThat(stale.stats().delivered()).isZero();
    assertThat(stale.stats().leaseLost()).isEqualTo(1);
    OutboxRecord after = outbox.find(id).orElseThrow();
    assertThat(after.receipt()).isEqualTo("fresh");
    assertThat(after.deliveredAt()).isEqualTo(delivered.deliveredAt());
  }

  @Test
  void staleRelayFailureAfterTakeoverIsNotRecordedEither() throws Exception {
    UUID id = jdbi.inTransaction(h -> outbox.record(h, OutboxMessage.of("e", "fenced-fail", "1")));
    CountDownLatch staleInSink = new CountDownLatch(1);
    CountDownLatch releaseStale = new CountDownLatch(1);
    OutboxSink failingLate =
        m -> {
          staleInSink.countDown();
          releaseStale.await();
          throw new IllegalStateException("late failure");
        };
    OutboxRelay stale =
        outbox.relay(failingLate).id("stale2").leaseDuration(Duration.ofMillis(200)).build();
    OutboxRelay fresh = outbox.relay(m -> SinkReceipt.ok()).id("fresh2").build();
    ExecutorService t = Executors.newSingleThreadExecutor();
    Future<Integer> staleRun = t.submit(stale::runOnce);
    assertThat(staleInSink.await(5, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> fresh.runOnce() == 1);
    releaseStale.countDown();
    staleRun.get(5, TimeUnit.SECONDS);
    t.shutdown();
    OutboxRecord r = outbox.find(id).orElseThrow();
    assertThat(r.state()).isEqualTo(OutboxState.DELIVERED);
    assertThat(r.lastError()).isNull();
    assertThat(stale.stats().leaseLost()).isEqualTo(1);
  }
}
