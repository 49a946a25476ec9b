package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BatchRequest;
import dev.keel.queue.BatchResult;
import dev.keel.queue.BatchStatus;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.Job;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A job enqueued in the caller's transaction commits or rolls back with the business data. */
class TransactionalEnqueueTest {
  private static PostgresTestDatabase db;
  private PostgresBackend backend;
  private Jdbi jdbi;

  @BeforeAll
  static void schema() {
    db = PostgresTestDatabase.forClass(TransactionalEnqueueTest.class);
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void open() {
    jdbi = Jdbi.create(db.dataSource());
    backend = PostgresBackend.builder().jdbi(jdbi).schema(db.schema()).build();
    db.execute("CREATE TABLE IF NOT EXISTS \"" + db.schema() + "\".orders (id int PRIMARY KEY)");
    db.execute(
        "TRUNCATE \""
            + db.schema()
            + "\".jobs, \""
            + db.schema()
            + "\".orders, \""
            + db.schema()
            + "\".batches");
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  private boolean exists(NewJob job) {
    return backend.find(new JobRef(job.tenant(), job.id())).isPresent();
  }

  private long orders() {
    return db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".orders");
  }

  @Test
  void jobEnqueuedInACommittedHandleTransactionExists() {
    NewJob job = TestJobs.job("ship");
    jdbi.useTransaction(
        h -> {
          h.execute("INSERT INTO \"" + db.schema() + "\".orders VALUES (1)");
          assertThat(backend.enqueue(h, EnqueueRequest.of(job)).results().get(0).created())
              .isTrue();
          assertThat(
                  db.queryLong(
                      "SELECT count(*) FROM \""
                          + db.schema()
                          + "\".jobs WHERE id = '"
                          + job.id()
                          + "'"))
              .as("invisible to other connections before commit")
              .isZero();
        });
    assertThat(exists(job)).isTrue();
    assertThat(orders()).isOne();
  }

  @Test
  void jobEnqueuedInARolledBackHandleTransactionDoesNotExist() {
    NewJob job = TestJobs.job("ship");
    assertThatThrownBy(
            () ->
                jdbi.useTransaction(
                    h -> {
                      h.execute("INSERT INTO \"" + db.schema() + "\".orders VALUES (1)");
                      backend.enqueue(h, EnqueueRequest.of(job));
                      throw new IllegalStateException("business rule failed");
                    }))
        .hasMessage("business rule failed");
    assertThat(exists(job)).isFalse();
    assertThat(orders()).isZero();
  }

  @Test
  void jobEnqueuedOnACommittedConnectionExists() throws SQLException {
    NewJob job = TestJobs.job("ship");
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c);
      backend.enqueue(c, EnqueueRequest.of(job));
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(exists(job)).isTrue();
    assertThat(orders()).isOne();
  }

  @Test
  void jobEnqueuedOnARolledBackConnectionDoesNotExist() throws SQLException {
    NewJob job = TestJobs.job("ship");
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c);
      backend.enqueue(c, EnqueueRequest.of(job));
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(exists(job)).isFalse();
    assertThat(orders()).isZero();
  }

  @Test
  void aConflictInTheCallersTransactionLeavesNothingOfTheBatchButKeepsTheirWork()
      throws SQLException {
    NewJob holder = TestJobs.job("ship", "default", "{\"v\":1}", "order-7");
    backend.enqueue(EnqueueRequest.of(holder));
    NewJob fresh = TestJobs.job("ship");
    NewJob conflicting = TestJobs.job("ship", "default", "{\"v\":2}", "order-7");
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c);
      assertThatThrownBy(() -> backend.enqueue(c, new EnqueueRequest(List.of(fresh, conflicting))))
          .isInstanceOf(IdempotencyConflictException.class);
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(exists(fresh)).isFalse();
    assertThat(orders()).isOne();
  }

  private void insertOrder(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO \"" + db.schema() + "\".orders VALUES (1)");
    }
  }

  @Test
  void aBatchEnqueuedInTheCallersTransactionCommitsOrRollsBackWithIt() {
    try (Keel keel = Keel.builder().backend(backend).build()) {
      BatchRequest nightly =
          BatchRequest.of(
                  List.of(
                      JobRequest.of("report.chunk", Map.of("n", 1)),
                      JobRequest.of("report.chunk", Map.of("n", 2))))
              .onSuccess(JobRequest.of("report.summary", Map.of()));
      java.util.concurrent.atomic.AtomicReference<BatchResult> rolledBack =
          new java.util.concurrent.atomic.AtomicReference<>();
      assertThatThrownBy(
              () ->
                  jdbi.useTransaction(
                      h -> {
                        h.execute("INSERT INTO \"" + db.schema() + "\".orders VALUES (1)");
                        rolledBack.set(
                            keel.client().enqueueBatch(nightly, r -> backend.enqueue(h, r)));
                        throw new IllegalStateException("business rule failed");
                      }))
          .hasMessage("business rule failed");
      assertThat(keel.client().batch("default", rolledBack.get().id())).isEmpty();
      assertThat(backend.find(new JobRef("default", rolledBack.get().jobs().get(0).id())))
          .isEmpty();

      BatchResult committed =
          jdbi.inTransaction(
              h -> {
                h.execute("INSERT INTO \"" + db.schema() + "\".orders VALUES (2)");
                return keel.client().enqueueBatch(nightly, r -> backend.enqueue(h, r));
              });
      BatchStatus status = keel.client().batch("default", committed.id()).orElseThrow();
      assertThat(status.count(JobState.PENDING)).isEqualTo(2);
      Job summary = backend.find(new JobRef("default", committed.onSuccess().id())).orElseThrow();
      assertThat(summary.links().blocked()).isTrue();
      assertThat(orders()).isOne();
    }
  }
}
