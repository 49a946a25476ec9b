package dev.keel.queue.postgres.internal;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.JobState;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.ScheduleChangeResult;
import dev.keel.queue.spi.ScheduleFire;
import dev.keel.queue.spi.ScheduleFireOutcome;
import dev.keel.queue.spi.ScheduleFireOutcome.Kind;
import dev.keel.queue.spi.ScheduleFireRequest;
import dev.keel.queue.spi.ScheduleFireResult;
import dev.keel.queue.spi.ScheduleListRequest;
import dev.keel.queue.spi.SchedulePage;
import dev.keel.queue.spi.SchedulePauseRequest;
import dev.keel.queue.spi.ScheduleRef;
import dev.keel.queue.spi.ScheduleUpsert;
import dev.keel.queue.spi.ScheduleUpsertRequest;
import dev.keel.queue.spi.ScheduleUpsertResult;
import dev.keel.queue.spi.StoredSchedule;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The recurring-schedule calls on the {@code schedules} table. Every write locks the schedule rows
 * it touches in name order ({@code COLLATE "C"}), so concurrent upserts and fires of overlapping
 * schedules wait for each other instead of deadlocking. A fire batch is one transaction of three
 * statements at most: lock and read the schedules, insert the jobs of every fire that fires (the
 * enqueue's own insert, NOTIFY included), write the schedules that changed.
 */
public final class ScheduleStore {
  private final Database db;
  private final Statements sql;
  private final Enqueuer enqueuer;

  public ScheduleStore(Database db, Statements sql, Enqueuer enqueuer) {
    this.db = db;
    this.sql = sql;
    this.enqueuer = enqueuer;
  }

  // ---- upsert, remove, pause -------------------------------------------------------------------

  public ScheduleUpsertResult upsert(ScheduleUpsertRequest request) {
    List<String> names = new ArrayList<>(request.schedules().size());
    List<String> specs = new ArrayList<>(names.size());
    List<String> triggers = new ArrayList<>(names.size());
    List<String> nextFireAts = new ArrayList<>(names.size());
    Set<String> seen = new HashSet<>();
    for (ScheduleUpsert s : request.schedules()) {
      if (!seen.add(s.name())) {
        throw new IllegalArgumentException("schedule " + s.name() + " appears twice in one upsert");
      }
      names.add(s.name());
      specs.add(s.spec());
      triggers.add(s.trigger());
      nextFireAts.add(s.nextFireAt().toString());
    }
    if (names.isEmpty() && !request.removeOthers()) {
      return new ScheduleUpsertResult(List.of(), List.of(), List.of(), List.of());
    }
    Map<String, String> outcomes = new HashMap<>();
    List<String> removed = new ArrayList<>();
    db.inTransaction(
        "upsert schedules",
        c -> {
          SqlCall.on(c, sql.scheduleLock)
              .bind("all", request.removeOthers())
              .bindArray("names", "text", names)
              .query(rs -> rs.getLong(1));
          for (String[] row :
              SqlCall.on(c, sql.scheduleUpsert)
                  .bindArray("names", "text", names)
                  .bindArray("specs", "text", specs)
                  .bindArray("triggers", "text", triggers)
                  .bindArray("nextFireAts", "text", nextFireAts)
                  .bind("removeOthers", request.removeOthers())
                  .query(rs -> new String[] {rs.getString("name"), rs.getString("outcome")})) {
            if (row[1].equals("removed")) {
              removed.add(row[0]); // in name order: see schedule_upsert.sql
            } else {
              outcomes.put(row[0], row[1]);
            }
          }
          return null;
        });
    List<String> created = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (String name : names) {
      String outcome = outcomes.get(name);
      if (outcome == null) {
        unchanged.add(name);
      } else if (outcome.equals("created")) {
        created.add(name);
      } else {
        updated.add(name);
      }
    }
    return new ScheduleUpsertResult(created, updated, unchanged, removed);
  }

  public ScheduleChangeResult remove(ScheduleRef ref) {
    int deleted =
        db.autoCommit(
            "remove schedule",
            c -> SqlCall.on(c, sql.scheduleRemove).bind("name", ref.name()).update());
    return deleted == 0
        ? ScheduleChangeResult.notFound()
        : new ScheduleChangeResult(true, true, Optional.empty());
  }

  public ScheduleChangeResult pause(SchedulePauseRequest request) {
    return db.inTransaction(
        "pause schedule",
        c -> {
          List<StoredSchedule> changed =
              SqlCall.on(c, sql.schedulePause)
                  .bind("name", request.name())
                  .bind("paused", request.paused())
                  .bind(
                      "nextFireAt",
                      request.paused() ? null : request.nextFireAtOnResume().toString())
                  .query(ScheduleStore::schedule);
          if (!changed.isEmpty()) {
            return new ScheduleChangeResult(true, true, Optional.of(changed.get(0)));
          }
          Optional<StoredSchedule> current = find(c, request.name());
          return current.isEmpty()
              ? ScheduleChangeResult.notFound()
              : new ScheduleChangeResult(true, false, current);
        });
  }

  // ---- reads -----------------------------------------------------------------------------------

  public Optional<StoredSchedule> find(ScheduleRef ref) {
    return db.autoCommit("find schedule", c -> find(c, ref.name()));
  }

  private Optional<StoredSchedule> find(Connection c, String name) throws SQLException {
    return SqlCall.on(c, sql.scheduleFind)
        .bind("name", name)
        .query(ScheduleStore::schedule)
        .stream()
        .findFirst();
  }

  public SchedulePage list(ScheduleListRequest request) {
    List<StoredSchedule> rows =
        db.autoCommit(
            "list schedules",
            c ->
                SqlCall.on(c, sql.scheduleList)
                    .bind("afterName", request.afterName())
                    .bind("limit", request.limit() + 1)
                    .query(ScheduleStore::schedule));
    if (rows.size() <= request.limit()) {
      return new SchedulePage(rows, null);
    }
    List<StoredSchedule> page = rows.subList(0, request.limit());
    return new SchedulePage(page, page.get(page.size() - 1).name());
  }

  public DueSchedules due(DueSchedulesRequest request) {
    Instant[] now = new Instant[1];
    Instant[] later = new Instant[1];
    List<StoredSchedule> due = new ArrayList<>();
    db.autoCommit(
        "read due schedules",
        c ->
            SqlCall.on(c, sql.scheduleDue)
                .bind("limit", request.limit())
                .query(
                    rs -> {
                      now[0] = JobRowMapper.instant(rs, "clock_now");
                      later[0] = JobRowMapper.instant(rs, "later_fire_at");
                      if (rs.getString("name") != null) {
                        due.add(schedule(rs));
                      }
                      return null;
                    }));
    return new DueSchedules(now[0], due, later[0]);
  }

  private static StoredSchedule schedule(ResultSet rs) throws SQLException {
    String state = rs.getString("last_job_state");
    return new StoredSchedule(
        rs.getString("name"),
        rs.getString("spec"),
        rs.getString("trigger"),
        rs.getLong("version"),
        rs.getBoolean("paused"),
        JobRowMapper.instant(rs, "next_fire_at"),
        JobRowMapper.instant(rs, "last_fire_at"),
        rs.getObject("last_job_id", UUID.class),
        rs.getString("last_job_tenant"),
        state == null ? null : JobStates.fromColumn(state),
        JobRowMapper.instant(rs, "updated_at"));
  }

  // ---- fire ------------------------------------------------------------------------------------

  /** What a fire checks and changes of one locked schedule row. */
  private static final class Locked {
    final long version;
    final boolean paused;
    Instant nextFireAt;
    Instant lastFireAt;
    UUID lastJobId;
    String lastJobTenant;
    JobState lastJobState;
    boolean changed;

    Locked(ResultSet rs) throws SQLException {
      version = rs.getLong("version");
      paused = rs.getBoolean("paused");
      nextFireAt = JobRowMapper.instant(rs, "next_fire_at");
      lastFireAt = JobRowMapper.instant(rs, "last_fire_at");
      lastJobId = rs.getObject("last_job_id", UUID.class);
      lastJobTenant = rs.getString("last_job_tenant");
      String state = rs.getString("last_job_state");
      lastJobState = state == null ? null : JobStates.fromColumn(state);
    }

    boolean lastJobActive() {
      return lastJobId != null
          && (lastJobState == JobState.PENDING || lastJobState == JobState.RUNNING);
    }
  }

  public ScheduleFireResult fire(ScheduleFireRequest request) {
    if (request.fires().isEmpty()) {
      return new ScheduleFireResult(List.of());
    }
    List<String> names = new ArrayList<>();
    Set<String> distinct = new HashSet<>();
    for (ScheduleFire fire : request.fires()) {
      if (distinct.add(fire.name())) {
        names.add(fire.name());
      }
    }
    return db.inTransaction(
        "fire schedules",
        c -> {
          Map<String, Locked> rows = new HashMap<>();
          for (Map.Entry<String, Locked> e :
              SqlCall.on(c, sql.scheduleFireLock)
                  .bindArray("names", "text", names)
                  .query(rs -> Map.entry(rs.getString("name"), new Locked(rs)))) {
            rows.put(e.getKey(), e.getValue());
          }
          // Fires apply in request order, as if one after the other: a second fire of one
          // schedule in the same request sees the first one's outcome.
          List<ScheduleFireOutcome> outcomes = new ArrayList<>(request.fires().size());
          List<NewJob> jobs = new ArrayList<>();
          for (ScheduleFire fire : request.fires()) {
            Locked row = rows.get(fire.name());
            Kind kind = decide(fire, row);
            List<EnqueueResult> created = List.of();
            if (kind == Kind.FIRED) {
              row.nextFireAt = fire.nextFireAt();
              row.changed = true;
              if (!fire.jobs().isEmpty()) {
                jobs.addAll(fire.jobs());
                List<EnqueueResult> results = new ArrayList<>(fire.jobs().size());
                for (NewJob job : fire.jobs()) {
                  results.add(new EnqueueResult(job.id(), true, JobState.PENDING));
                }
                created = results;
                NewJob last = fire.jobs().get(fire.jobs().size() - 1);
                row.lastFireAt = fire.lastFireAt();
                row.lastJobId = last.id();
                row.lastJobTenant = last.tenant();
                row.lastJobState = JobState.PENDING;
              }
            } else if (kind == Kind.SKIPPED_OVERLAP) {
              row.nextFireAt = fire.nextFireAt();
              row.changed = true;
            }
            outcomes.add(new ScheduleFireOutcome(fire.name(), kind, created));
          }
          if (!jobs.isEmpty()) {
            // Exactly the insert of an enqueue (keyless jobs: one statement, NOTIFY included).
            enqueuer.enqueue(c, jobs, false);
          }
          writeChanged(c, rows);
          return new ScheduleFireResult(outcomes);
        });
  }

  private static Kind decide(ScheduleFire fire, Locked row) {
    if (row == null
        || row.paused
        || row.version != fire.expectedVersion()
        || !row.nextFireAt.equals(fire.expectedNextFireAt())) {
      return Kind.STALE;
    }
    if (!fire.jobs().isEmpty() && fire.overlap() != OverlapPolicy.ALLOW && row.lastJobActive()) {
      return fire.overlap() == OverlapPolicy.SKIP ? Kind.SKIPPED_OVERLAP : Kind.WAITING_OVERLAP;
    }
    return Kind.FIRED;
  }

  private void writeChanged(Connection c, Map<String, Locked> rows) throws SQLException {
    List<String> names = new ArrayList<>();
    List<String> nextFireAts = new ArrayList<>();
    List<String> lastFireAts = new ArrayList<>();
    List<UUID> lastJobIds = new ArrayList<>();
    List<String> lastJobTenants = new ArrayList<>();
    for (Map.Entry<String, Locked> e : rows.entrySet()) {
      Locked row = e.getValue();
      if (!row.changed) {
        continue;
      }
      names.add(e.getKey());
      nextFireAts.add(row.nextFireAt.toString());
      lastFireAts.add(row.lastFireAt == null ? null : row.lastFireAt.toString());
      lastJobIds.add(row.lastJobId);
      lastJobTenants.add(row.lastJobTenant);
    }
    if (names.isEmpty()) {
      return;
    }
    SqlCall.on(c, sql.scheduleFireUpdate)
        .bindArray("names", "text", names)
        .bindArray("nextFireAts", "text", nextFireAts)
        .bindArray("lastFireAts", "text", lastFireAts)
        .bindArray("lastJobIds", "uuid", lastJobIds)
        .bindArray("lastJobTenants", "text", lastJobTenants)
        .update();
  }
}
