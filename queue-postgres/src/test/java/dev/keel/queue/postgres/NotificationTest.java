package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LISTEN/NOTIFY wake-ups, including after the listening connection was killed by the server. */
class NotificationTest {
  private static PostgresTestDatabase db;
  private PostgresBackend backend;

  @BeforeAll
  static void schema() {
    db = PostgresTestDatabase.forClass(NotificationTest.class);
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void open() {
    backend =
        PostgresBackend.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .listenReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .build();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  private String listenQuery() {
    return "FROM pg_stat_activity WHERE query = 'LISTEN \"keel_jobs_" + db.schema() + "\"'";
  }

  @Test
  void enqueueWakesSubscribersWithTheQueueOnlyAfterCommit() {
    List<String> signals = new CopyOnWriteArrayList<>();
    try (Subscription s = backend.subscribe(signals::add)) {
      await().atMost(Duration.ofSeconds(5)).until(backend::isListening);
      backend.enqueue(EnqueueRequest.of(TestJobs.job("t", "emails", "{}", null)));
      await().atMost(Duration.ofSeconds(5)).until(() -> signals.contains("emails"));
    }
  }

  @Test
  void subscriberIsWokenAgainAfterTheListenConnectionWasTerminated() {
    List<String> signals = new CopyOnWriteArrayList<>();
    try (Subscription s = backend.subscribe(signals::add)) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> db.queryLong("SELECT count(*) " + listenQuery()) == 1);
      long oldPid = db.queryLong("SELECT pid " + listenQuery());
      db.execute("SELECT pg_terminate_backend(" + oldPid + ")");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  backend.isListening()
                      && db.queryLong("SELECT count(*) " + listenQuery() + " AND pid <> " + oldPid)
                          == 1);
      backend.enqueue(EnqueueRequest.of(TestJobs.job("t", "after-kill", "{}", null)));
      await().atMost(Duration.ofSeconds(10)).until(() -> signals.contains("after-kill"));
    }
    assertThat(signals).contains("after-kill");
  }

  @Test
  void listenersAreToldToCatchUpEachTimeListenTakesEffect() {
    AtomicInteger catchUps = new AtomicInteger();
    WakeupListener listener =
        new WakeupListener() {
          @Override
          public void jobsAvailable(String queue) {}

          @Override
          public void signalsMayHaveBeenMissed() {
            catchUps.incrementAndGet();
          }
        };
    try (Subscription s = backend.subscribe(listener)) {
      // NOTIFYs sent before the first LISTEN, e.g. while a worker starts, were never heard.
      await().atMost(Duration.ofSeconds(5)).until(() -> catchUps.get() == 1);
      long oldPid = db.queryLong("SELECT pid " + listenQuery());
      db.execute("SELECT pg_terminate_backend(" + oldPid + ")");
      // And those sent while the connection was down.
      await().atMost(Duration.ofSeconds(10)).until(() -> catchUps.get() == 2);
    }
  }

  @Test
  void withoutNotificationsSubscribeNeverCalls() {
    try (PostgresBackend quiet =
        PostgresBackend.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .notifications(false)
            .build()) {
      assertThat(quiet.capabilities().wakeups()).isFalse();
      List<String> signals = new CopyOnWriteArrayList<>();
      try (Subscription s = quiet.subscribe(signals::add)) {
        quiet.enqueue(EnqueueRequest.of(TestJobs.job("t")));
      }
      assertThat(signals).isEmpty();
    }
  }
}
