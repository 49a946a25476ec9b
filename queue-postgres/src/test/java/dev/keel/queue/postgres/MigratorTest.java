package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.KeelConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MigratorTest {
  private PostgresTestDatabase db;

  @BeforeEach
  void freshSchema() {
    db = PostgresTestDatabase.forClass(MigratorTest.class);
  }

  @AfterEach
  void drop() {
    db.close();
  }

  private Migrator migrator() {
    return Migrator.of(db.dataSource(), db.schema());
  }

  @Test
  void aMissingSchemaIsBehindAndMigrateMakesItCurrent() {
    assertThat(migrator().validate().state()).isEqualTo(SchemaStatus.State.BEHIND);
    SchemaStatus after = migrator().migrate();
    assertThat(after.state()).isEqualTo(SchemaStatus.State.CURRENT);
    assertThat(after.applied()).isEqualTo(Migrator.shippedVersions());
  }

  @Test
  void migratingTwiceChangesNothing() {
    migrator().migrate();
    long recorded = db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".schema_migrations");
    SchemaStatus again = migrator().migrate();
    assertThat(again.isCurrent()).isTrue();
    assertThat(db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".schema_migrations"))
        .isEqualTo(recorded);
  }

  @Test
  void concurrentMigratorsApplyEachMigrationOnce() throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CyclicBarrier start = new CyclicBarrier(n);
      List<Future<SchemaStatus>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<SchemaStatus> task =
            () -> {
              start.await(10, TimeUnit.SECONDS);
              return migrator().migrate();
            };
        results.add(pool.submit(task));
      }
      for (Future<SchemaStatus> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS).isCurrent()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".schema_migrations"))
        .isEqualTo(Migrator.shippedVersions().size());
  }

  @Test
  void aSchemaMissingTheLastMigrationIsBehind() {
    migrator().migrate();
    int last = Migrator.shippedVersions().get(Migrator.shippedVersions().size() - 1);
    db.execute("DELETE FROM \"" + db.schema() + "\".schema_migrations WHERE version = " + last);
    SchemaStatus status = migrator().validate();
    assertThat(status.state()).isEqualTo(SchemaStatus.State.BEHIND);
    assertThat(status.describe()).contains("behind");
    assertThatThrownBy(() -> migrator().requireCurrent())
        .isInstanceOf(SchemaMismatchException.class);
  }

  @Test
  void aSchemaMigratedByANewerKeelIsAheadAndIsNotTouched() {
    migrator().migrate();
    db.execute(
        "INSERT INTO \"" + db.schema() + "\".schema_migrations (version, name) VALUES (999, 'x')");
    assertThat(migrator().validate().state()).isEqualTo(SchemaStatus.State.AHEAD);
    assertThatThrownBy(() -> migrator().migrate())
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("ahead");
  }

  @Test
  void withoutMigrateOnStartABehindSchemaRefusesToStart() {
    assertThatThrownBy(
            () ->
                PostgresBackend.builder()
                    .dataSource(db.dataSource())
                    .schema(db.schema())
                    .migrateOnStart(false)
                    .build())
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("behind");
  }

  @Test
  void schemaNamesThatAreNotPlainIdentifiersAreRefused() {
    assertThatThrownBy(() -> PostgresBackend.builder().schema("bad\"; drop table x; --"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("schema:");
    assertThatThrownBy(() -> PostgresBackend.builder().schema("Upper"))
        .isInstanceOf(KeelConfigurationException.class);
    assertThatThrownBy(() -> PostgresBackend.builder().schema("a").schema("b"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("already set");
  }

  @Test
  void checkConstraintsRejectInvalidRows() {
    migrator().migrate();
    String ok = "'t', 'q', 'd', '{}', 0, 'pending', 0, 1, NULL";
    insertJob(ok); // the baseline row is valid
    assertViolates("'t', 'q', 'd', '{}', 101, 'pending', 0, 1, NULL");
    assertViolates("'t', 'q', 'd', '{}', 0, 'sleeping', 0, 1, NULL");
    // attempt may pass max_attempts by 2: the rescue's extra runs of a job with steps (V009)
    insertJob("'t', 'q', 'd', '{}', 0, 'pending', 3, 1, NULL");
    assertViolates("'t', 'q', 'd', '{}', 0, 'pending', 4, 1, NULL");
    assertViolates("'t', 'q', 'd', '{}', 0, 'pending', -1, 1, NULL");
    assertViolates("'t', 'q', 'd', '{}', 0, 'pending', 0, 1, 101");
    assertViolates("'t', 'q', 'd', '{}', 0, 'running', 1, 1, NULL");
  }

  private void insertJob(String values) {
    db.execute(
        "INSERT INTO \""
            + db.schema()
            + "\".jobs (id, type, queue, tenant, payload, priority, state, attempt, max_attempts,"
            + " progress_percent, run_at, created_at) VALUES (gen_random_uuid(), "
            + values
            + ", now(), now())");
  }

  private void assertViolates(String values) {
    assertThatThrownBy(() -> insertJob(values))
        .rootCause()
        .hasMessageContaining("violates check constraint");
  }
}
