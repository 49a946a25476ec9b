package dev.keel.queue.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.postgres.PostgresTestDatabase;
import dev.keel.queue.spi.SampleWriteRequest;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The statements behind the operations figures and samples as the database plans and runs them: the
 * finished-in-window count is an index range scan however many finished jobs are kept, and a sample
 * write deletes old samples in bounded batches.
 */
class OpsDataStatementsTest {
  private static PostgresTestDatabase db;
  private static Statements sql;

  @BeforeAll
  static void schema() {
    db = PostgresTestDatabase.forClass(OpsDataStatementsTest.class);
    PostgresBackend.builder().dataSource(db.dataSource()).schema(db.schema()).build().close();
    sql = new Statements(new SchemaName(db.schema()));
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void finishedInWindowIsARangeScanOfTheFinishedIndex() throws Exception {
    // 300,000 finished jobs over the last 30 days, a few hundred of them in the last hour.
    db.execute(
        "INSERT INTO \""
            + db.schema()
            + "\".jobs (id, type, queue, tenant, payload, priority, state, attempt, max_attempts,"
            + " run_at, created_at, started_at, finished_at) SELECT gen_random_uuid(), 't' || (g %"
            + " 20), 'q' || (g % 5), 'ten' || (g % 3), '{}', 0, (ARRAY['succeeded', 'failed',"
            + " 'cancelled'])[1 + g % 3], 1, 5, now(), now(), now(), now() - g * interval '8.64"
            + " seconds' FROM generate_series(1, 300000) g");
    db.execute("ANALYZE \"" + db.schema() + "\".jobs");

    for (String tenant : new String[] {null, "ten1"}) {
      String plan = explain(sql.statsFinished, tenant, Duration.ofHours(1).toMillis());
      assertThat(plan).as("tenant " + tenant).contains("jobs_finished_idx");
      assertThat(plan).as("tenant " + tenant).doesNotContain("Seq Scan");
    }
  }

  private static String explain(SqlStatement statement, String tenant, long windowMillis)
      throws Exception {
    SqlStatement explain =
        new SqlStatement(
            statement.name(),
            "EXPLAIN " + statement.jdbcSql(),
            statement.parameters(),
            statement.customPlan());
    try (Connection c = db.dataSource().getConnection()) {
      List<String> lines =
          SqlCall.on(c, explain)
              .bind("tenant", tenant)
              .bind("windowMillis", windowMillis)
              .query(rs -> rs.getString(1));
      return String.join("\n", lines);
    }
  }

  @Test
  void aSampleWriteDeletesAtMostAThousandExpiredSamples() {
    db.execute(
        "INSERT INTO \""
            + db.schema()
            + "\".samples (at, body) SELECT now() - interval '2 hours' - g * interval '1 second',"
            + " '{}' FROM generate_series(1, 2500) g");
    try (PostgresBackend backend =
        PostgresBackend.builder().dataSource(db.dataSource()).schema(db.schema()).build()) {
      Duration keep = Duration.ofHours(1);
      backend.writeSample(new SampleWriteRequest("{\"n\":1}", keep));
      assertThat(count()).isEqualTo(1501);
      backend.writeSample(new SampleWriteRequest("{\"n\":2}", keep));
      backend.writeSample(new SampleWriteRequest("{\"n\":3}", keep));
      assertThat(count()).isEqualTo(3);
    }
  }

  private static long count() {
    return db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".samples");
  }
}
