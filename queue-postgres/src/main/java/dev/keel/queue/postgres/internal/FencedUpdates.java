package dev.keel.queue.postgres.internal;

import dev.keel.queue.Lease;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.ProgressRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Heartbeat, progress and finish: every change is conditional on the job still holding the lease
 * (id, lease_token), for all leases of a call in one statement per kind, and all kinds of one call
 * in one transaction. A lease whose row did not match is reported lost.
 *
 * <p>The statements do not test {@code state = 'running'}: a lease token exists only while a job is
 * RUNNING (CHECK {@code jobs_lease_only_when_running}), so the token match already says so. A
 * written state test would let the planner answer it from {@code jobs_lease_idx} (partial on
 * RUNNING) and, when the table's statistics were taken while few jobs ran, join every running job
 * to every lease of the call: measured at 3.7 s instead of 20 ms for 800 leases among 20,000
 * running jobs, which made a busy worker's finishes fall further and further behind. Without it the
 * only sensible plan is one primary-key lookup per lease.
 *
 * <p>They are also planned with each call's actual arrays ({@code keel:custom-plan}, see {@link
 * SqlStatement}). A generic plan made while the table was nearly empty, as in a fresh schema's
 * first seconds, hash-joins a sequential scan of the table, and a connection keeps that plan while
 * the table grows: at 500 jobs/s every finish read the whole table (4.7 million rows read in a
 * 10-second run).
 *
 * <p>Their transactions commit with the worker commit mode ({@code commitMode}, see {@code
 * PostgresBackend.Builder#asynchronousWorkerCommits}).
 */
public final class FencedUpdates {
  private final Database db;
  private final Statements sql;
  private final String channel;
  private final boolean notify;
  private final String commitMode;

  /**
   * @param commitMode the {@code synchronous_commit} of these transactions, or null for the
   *     session's own
   */
  public FencedUpdates(
      Database db, Statements sql, String channel, boolean notify, String commitMode) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
    this.notify = notify;
    this.commitMode = commitMode;
  }

  public FencedResult heartbeat(HeartbeatRequest request) {
    List<Lease> leases = request.leases();
    if (leases.isEmpty()) {
      return new FencedResult(Set.of(), Set.of());
    }
    Set<UUID> applied =
        db.autoCommit(
            "heartbeat",
            c ->
                new HashSet<>(
                    SqlCall.on(c, sql.heartbeat)
                        .bindArray("ids", "uuid", ids(leases))
                        .bindArray("tokens", "text", tokens(leases))
                        .bind("leaseMillis", request.leaseDuration().toMillis())
                        .bind("commitMode", commitMode)
                        .query(rs -> rs.getObject(1, UUID.class))));
    return result(leases, applied);
  }

  public FencedResult progress(ProgressRequest request) {
    List<Lease> leases = new ArrayList<>();
    List<Integer> percents = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (ProgressRequest.Update u : request.updates()) {
      leases.add(u.lease());
      percents.add(u.progress().percent());
      messages.add(u.progress().message());
    }
    if (leases.isEmpty()) {
      return new FencedResult(Set.of(), Set.of());
    }
    Set<UUID> applied =
        db.autoCommit(
            "progress",
            c ->
                new HashSet<>(
                    SqlCall.on(c, sql.progress)
                        .bindArray("ids", "uuid", ids(leases))
                        .bindArray("tokens", "text", tokens(leases))
                        .bindArray("percents", "int4", percents)
                        .bindArray("messages", "text", messages)
                        .bind("commitMode", commitMode)
                        .query(rs -> rs.getObject(1, UUID.class))));
    return result(leases, applied);
  }

  public FencedResult finish(FinishRequest request) {
    List<Lease> leases = new ArrayList<>();
    Map<Class<?>, List<Finish>> byKind = new LinkedHashMap<>();
    for (Finish f : request.finishes()) {
      leases.add(f.lease());
      byKind.computeIfAbsent(f.getClass(), k -> new ArrayList<>()).add(f);
    }
    if (leases.isEmpty()) {
      return new FencedResult(Set.of(), Set.of());
    }
    Set<UUID> toResolve = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Database.Work<Set<UUID>> work =
        c -> {
          Set<UUID> applied = new HashSet<>();
          toResolve.clear(); // a retried transaction starts again
          for (List<Finish> group : byKind.values()) {
            applied.addAll(apply(c, group, toResolve));
          }
          return applied;
        };
    // One kind is one statement: auto-commit saves the BEGIN/COMMIT round trip.
    Set<UUID> applied =
        byKind.size() == 1 ? db.autoCommit("finish", work) : db.inTransaction("finish", work);
    FencedResult r = result(leases, applied);
    return new FencedResult(r.applied(), r.lost(), toResolve);
  }

  /**
   * Applies one kind of finish; a terminal one also names, in {@code toResolve}, the jobs that
   * others wait for (a batch, or dependents: V008), which core resolves next.
   */
  private List<UUID> apply(Connection c, List<Finish> group, Set<UUID> toResolve)
      throws SQLException {
    List<Lease> leases = group.stream().map(Finish::lease).toList();
    Finish first = group.get(0);
    SqlCall call;
    if (first instanceof Finish.Succeed) {
      call = SqlCall.on(c, sql.finishSucceed);
    } else if (first instanceof Finish.Fail) {
      call = SqlCall.on(c, sql.finishFail);
      List<String> messages = new ArrayList<>();
      List<String> stacks = new ArrayList<>();
      for (Finish f : group) {
        Finish.Fail fail = (Finish.Fail) f;
        messages.add(fail.error().message());
        stacks.add(fail.error().stackTrace());
      }
      call.bindArray("messages", "text", messages).bindArray("stacks", "text", stacks);
    } else if (first instanceof Finish.Cancel) {
      call = SqlCall.on(c, sql.finishCancel);
      call.bindArray(
          "messages", "text", group.stream().map(f -> ((Finish.Cancel) f).reason()).toList());
    } else if (first instanceof Finish.Retry) {
      call = SqlCall.on(c, sql.finishRetry).bind("channel", channel).bind("notify", notify);
      List<Long> delays = new ArrayList<>();
      List<String> messages = new ArrayList<>();
      List<String> stacks = new ArrayList<>();
      for (Finish f : group) {
        Finish.Retry retry = (Finish.Retry) f;
        delays.add(retry.delay().toMillis());
        messages.add(retry.error().message());
        stacks.add(retry.error().stackTrace());
      }
      call.bindArray("delayMillis", "int8", delays)
          .bindArray("messages", "text", messages)
          .bindArray("stacks", "text", stacks);
    } else if (first instanceof Finish.Snooze) {
      call = SqlCall.on(c, sql.finishSnooze).bind("channel", channel).bind("notify", notify);
      call.bindArray(
          "delayMillis",
          "int8",
          group.stream().map(f -> ((Finish.Snooze) f).delay().toMillis()).toList());
    } else if (first instanceof Finish.Release) {
      call = SqlCall.on(c, sql.finishRelease).bind("channel", channel).bind("notify", notify);
    } else {
      throw new IllegalArgumentException("unknown finish " + first.getClass().getName());
    }
    boolean terminal =
        first instanceof Finish.Succeed
            || first instanceof Finish.Fail
            || first instanceof Finish.Cancel;
    return call.bindArray("ids", "uuid", ids(leases))
        .bindArray("tokens", "text", tokens(leases))
        .bind("commitMode", commitMode)
        .query(
            rs -> {
              UUID id = rs.getObject(1, UUID.class);
              if (terminal && rs.getBoolean("resolve")) {
                toResolve.add(id);
              }
              return id;
            });
  }

  private static List<UUID> ids(List<Lease> leases) {
    return leases.stream().map(Lease::jobId).toList();
  }

  private static List<String> tokens(List<Lease> leases) {
    return leases.stream().map(Lease::token).toList();
  }

  private static FencedResult result(List<Lease> leases, Set<UUID> applied) {
    Set<UUID> lost = new HashSet<>();
    for (Lease l : leases) {
      if (!applied.contains(l.jobId())) {
        lost.add(l.jobId());
      }
    }
    return new FencedResult(applied, lost);
  }
}
