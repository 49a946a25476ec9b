package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.ExponentialBackoff;
import dev.keel.queue.KeelConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutboxRelayTest {
  static OutboxTestDatabase db;
  static Outbox outbox;
  static Jdbi jdbi;
  static final ExponentialBackoff FAST =
      ExponentialBackoff.of(Duration.ofMillis(20), 2.0, Duration.ofMillis(100), 0.0);

  @BeforeAll
  static void setUp() {
    db = OutboxTestDatabase.forClass(OutboxRelayTest.class);
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

  private UUID record(String key, String payload) {
    return jdbi.inTransaction(h -> outbox.record(h, OutboxMessage.of("test.event", key, payload)));
  }

  @Test
  void committedMessageIsDeliveredThroughNotifyWithoutWaitingForAPoll() {
    RecordingSink sink = new RecordingSink();
    // A one-minute poll: only the NOTIFY sent at commit can make this fast.
    try (OutboxRelay relay =
        outbox.relay(sink).pollInterval(Duration.ofMinutes(1)).build().start()) {
      // Let the listener connect before recording (a notification before LISTEN is lost).
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  db.queryLong(
                          "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN \"keel_outbox_"
                              + db.schema()
                              + "\"%'")
                      > 0);
      UUID id = record("k1", "{\"n\":1}");
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.count(id) == 1);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> outbox.find(id).orElseThrow().state() == OutboxState.DELIVERED);
      OutboxRecord r = outbox.find(id).orElseThrow();
      assertThat(r.receipt()).startsWith("ok ");
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(relay.stats().delivered()).isEqualTo(1);
    }
  }

  @Test
  void pollingAloneDeliversWhenListenIsOff() {
    RecordingSink sink = new RecordingSink();
    try (OutboxRelay relay =
        outbox.relay(sink).listen(false).pollInterval(Duration.ofMillis(50)).build().start()) {
      UUID id = record("k2", "2");
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.count(id) == 1);
    }
  }

  @Test
  void failingMessageHoldsBackOnlyLaterMessagesOfItsOwnKey() {
    RecordingSink sink = new RecordingSink();
    sink.failWhen = m -> m.payload().equals("\"A1\"");
    UUID a1 = record("A", "\"A1\"");
    UUID a2 = record("A", "\"A2\"");
    UUID b1 = record("B", "\"B1\"");
    UUID b2 = record("B", "\"B2\"");
    try (OutboxRelay relay =
        outbox
            .relay(sink)
            .pollInterval(Duration.ofMillis(20))
            .retryPolicy(FAST)
            .maxAttempts(3)
            .build()
            .start()) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> outbox.find(a1).orElseThrow().state() == OutboxState.FAILED);
      assertThat(sink.keysInOrder()).containsExactly("B:\"B1\"", "B:\"B2\"");
      OutboxRecord parked = outbox.find(a1).orElseThrow();
      assertThat(parked.attempts()).isEqualTo(3);
      assertThat(parked.lastError()).contains("sink refuses A");
      assertThat(parked.failedAt()).isNotNull();
      OutboxRecord held = outbox.find(a2).orElseThrow();
      assertThat(held.state()).isEqualTo(OutboxState.PENDING);
      assertThat(held.attempts()).isZero();
      assertThat(relay.stats().parked()).isEqualTo(1);
      assertThat(relay.stats().retried()).isEqualTo(2);

      // Fixed and re-driven: A1 goes first, then A2.
      sink.failWhen = m -> false;
      assertThat(outbox.redrive(a1)).isTrue();
      assertThat(outbox.redrive(a1)).isFalse();
      relay.wake();
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.published.size() == 4);
      assertThat(sink.keysInOrder())
          .containsExactly("B:\"B1\"", "B:\"B2\"", "A:\"A1\"", "A:\"A2\"");
      assertThat(outbox.find(b1).orElseThrow().state()).isEqualTo(OutboxState.DELIVERED);
      assertThat(outbox.find(b2).orElseThrow().state()).isEqualTo(OutboxState.DELIVERED);
    }
  }

  @Test
  void longTailBehindAParkedKeyDoesNotStarveLaterKeys() {
    RecordingSink sink = new RecordingSink();
    sink.failWhen = m -> m.key().equals("tail");
    jdbi.useTransaction(
        h -> {
          for (int i = 0; i < 1_200; i++) {
            outbox.record(h, OutboxMessage.of("test.event", "tail", String.valueOf(i)));
          }
        });
    UUID later = record("after-the-tail", "1");
    OutboxRelay relay = outbox.relay(sink).maxAttempts(1).batchSize(10).build();
    int claimed = 0;
    for (int i = 0; i < 3 && sink.count(later) == 0; i++) {
      claimed += relay.runOnce();
    }
    assertThat(sink.count(later)).isEqualTo(1);
    assertThat(claimed).isEqualTo(2);
    assertThat(relay.stats().parked()).isEqualTo(1);
  }

  @Test
  void retriesWaitForTheBackoffStoredOnTheDatabaseClock() {
    RecordingSink sink = new RecordingSink();
    sink.failWhen = m -> true;
    UUID id = record("slow", "1");
    OutboxRelay relay =
        outbox
            .relay(sink)
            .retryPolicy(ExponentialBackoff.of(Duration.ofHours(1), 2.0, Duration.ofHours(1), 0.0))
            .build();
    assertThat(relay.runOnce()).isEqualTo(1);
    OutboxRecord r = outbox.find(id).orElseThrow();
    assertThat(r.state()).isEqualTo(OutboxState.PENDING);
    assertThat(Duration.between(r.createdAt(), r.availableAt()))
        .isGreaterThan(Duration.ofMinutes(59));
    assertThat(relay.runOnce()).isZero();
    relay.close();
  }

  @Test
  void redriveFailedRedrivesEveryParkedMessageOfATenant() {
    RecordingSink sink = new RecordingSink();
    sink.failWhen = m -> true;
    UUID x = record("x", "1");
    UUID y = record("y", "1");
    OutboxRelay relay = outbox.relay(sink).maxAttempts(1).build();
    assertThat(relay.runOnce()).isEqualTo(2);
    assertThat(outbox.find(x).orElseThrow().state()).isEqualTo(OutboxState.FAILED);
    assertThat(outbox.countFailed()).isEqualTo(2);
    assertThat(outbox.redriveFailed("other")).isZero();
    assertThat(outbox.redriveFailed(OutboxMessage.DEFAULT_TENANT)).isEqualTo(2);
    assertThat(outbox.countFailed()).isZero();
    sink.failWhen = m -> false;
    assertThat(relay.runOnce()).isEqualTo(2);
    assertThat(outbox.find(y).orElseThrow().state()).isEqualTo(OutboxState.DELIVERED);
  }

  @Test
  void cleanupRemovesDeliveredMessagesPastRetentionInBoundedBatches() {
    RecordingSink sink = new RecordingSink();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(record("c" + i, "1"));
    }
    UUID pending = jdbi.inTransaction(h -> outbox.record(h, OutboxMessage.of("t", "held", "1")));
    OutboxRelay keep = outbox.relay(sink).retention(Duration.ofHours(1)).build();
    OutboxRelay purge =
        outbox
            .relay(sink)
            .retention(Duration.ZERO)
            .cleanupBatchSize(10)
            .cleanupMaxBatches(2)
            .build();
    while (keep.runOnce() > 0) {
      // deliver everything, including the "held" message
    }
    UUID undelivered = record("never", "1");
    assertThat(keep.cleanupOnce()).isZero();
    // Delivered rows are older than the cleanup statement's now(): 26 to delete, 2 × 10 per run.
    assertThat(purge.cleanupOnce()).isEqualTo(20);
    assertThat(purge.cleanupOnce()).isEqualTo(6);
    assertThat(purge.cleanupOnce()).isZero();
    assertThat(db.messageCount()).isEqualTo(1);
    assertThat(outbox.find(undelivered)).isPresent();
    assertThat(outbox.find(pending)).isEmpty();
    assertThat(purge.stats().cleaned()).isEqualTo(26);
  }

  @Test
  void closeReleasesClaimedButUnpublishedMessagesWithoutUsingAnAttempt() throws Exception {
    CountDownLatch inSink = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    List<UUID> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    OutboxSink slow =
        m -> {
          inSink.countDown();
          proceed.await();
          published.add(m.id());
          return SinkReceipt.ok();
        };
    UUID first = record("r1", "1");
    UUID second = record("r2", "1");
    OutboxRelay relay = outbox.relay(slow).build().start();
    assertThat(inSink.await(5, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(relay::close);
    closer.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> !relay.isRunning());
    proceed.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(published).containsExactly(first);
    assertThat(outbox.find(first).orElseThrow().state()).isEqualTo(OutboxState.DELIVERED);
    OutboxRecord released = outbox.find(second).orElseThrow();
    assertThat(released.state()).isEqualTo(OutboxState.PENDING);
    assertThat(released.attempts()).isZero();
    assertThat(relay.stats().released()).isEqualTo(1);
  }

  @Test
  void closeIsBoundedWhenTheSinkHangsAndInterruptsIt() {
    CountDownLatch inSink = new CountDownLatch(1);
    OutboxSink hanging =
        m -> {
          inSink.countDown();
          new CountDownLatch(1).await();
          return SinkReceipt.ok();
        };
    UUID id = record("hang", "1");
    OutboxRelay relay = outbox.relay(hanging).shutdownGrace(Duration.ofMillis(200)).build().start();
    await().atMost(Duration.ofSeconds(5)).until(() -> inSink.getCount() == 0);
    long t0 = System.nanoTime();
    relay.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    OutboxRecord r = outbox.find(id).orElseThrow();
    assertThat(r.state()).isEqualTo(OutboxState.PENDING);
    assertThat(r.lastError()).contains("InterruptedException");
  }

  @Test
  void startAndCloseAreIdempotentAndAClosedRelayCannotRestart() {
    OutboxRelay relay = outbox.relay(new RecordingSink()).build();
    relay.close();
    OutboxRelay second = outbox.relay(new RecordingSink()).build();
    assertThat(second.start()).isSameAs(second.start());
    assertThat(second.isRunning()).isTrue();
    second.close();
    second.close();
    assertThat(second.isRunning()).isFalse();
    assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void relayOptionsAreValidatedAndSetOnce() {
    OutboxRelay.Builder b = outbox.relay(new RecordingSink()).batchSize(10);
    assertThatThrownBy(() -> b.batchSize(20))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("relay.batchSize was already set to 10");
    assertThatThrownBy(() -> outbox.relay(new RecordingSink()).batchSize(0))
        .hasMessageContaining("relay.batchSize must be between 1 and 1000");
    assertThatThrownBy(() -> outbox.relay(new RecordingSink()).leaseDuration(Duration.ZERO))
        .hasMessageContaining("relay.leaseDuration must be positive");
    assertThatThrownBy(() -> outbox.relay(new RecordingSink()).retention(Duration.ofSeconds(-1)))
        .hasMessageContaining("relay.retention");
  }
}
