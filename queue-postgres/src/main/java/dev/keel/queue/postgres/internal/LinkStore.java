package dev.keel.queue.postgres.internal;

import dev.keel.queue.InvalidJobException;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.BatchCancelResult;
import dev.keel.queue.spi.BatchRef;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.NewBatch;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.ResolveRequest;
import dev.keel.queue.spi.ResolveResult;
import dev.keel.queue.spi.StoredBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Batches and dependencies on PostgreSQL (migration V008). A blocked job is a PENDING row with
 * {@code blocked} and {@code run_at = 'infinity'}; its edges live in {@code job_dependencies} while
 * it waits. Every decision is made under row locks taken in id order, in a statement that starts
 * after them (READ COMMITTED then sees every end committed before): a blocked job is locked {@code
 * FOR UPDATE} before it is evaluated, a batch row {@code FOR UPDATE} before its members are
 * counted, and an enqueue joining a batch holds it {@code FOR SHARE}. So a job is released or ended
 * once, and a batch completes once and never while a member is being added.
 */
public final class LinkStore {
  /** Rounds of cascade (a cancelled job's dependents, a cancelled callback's) in one call. */
  private static final int MAX_ROUNDS = 1_000;

  private final Database db;
  private final Statements sql;
  private final String channel;
  private final boolean notify;

  public LinkStore(Database db, Statements sql, String channel, boolean notify) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
    this.notify = notify;
  }

  // ---------------------------------------------------------------- enqueue

  /**
   * Before the jobs are inserted: the batches they join exist in their tenant and are open (and
   * stay so until commit), and the dependencies outside the request exist in their tenant (and
   * learn that they have dependents). Throws {@link InvalidJobException} before anything of the
   * request is written.
   */
  void checkBeforeInsert(Connection c, EnqueueRequest request) throws SQLException {
    Set<UUID> newBatches = new HashSet<>();
    request.batches().forEach(b -> newBatches.add(b.id()));
    Set<UUID> inRequest = new HashSet<>();
    request.jobs().forEach(j -> inRequest.add(j.id()));
    Map<UUID, String> joined = new HashMap<>();
    List<UUID> depIds = new ArrayList<>();
    List<String> depTenants = new ArrayList<>();
    // (re-sorted below)
    Set<String> seen = new HashSet<>();
    for (NewJob j : request.jobs()) {
      UUID b = j.links().batchId();
      if (b != null && !newBatches.contains(b)) {
        joined.put(b, j.tenant());
      }
      for (UUID d : j.links().dependsOn()) {
        if (!inRequest.contains(d) && seen.add(d + "/" + j.tenant())) {
          depIds.add(d);
          depTenants.add(j.tenant());
        }
      }
    }
    if (!joined.isEmpty()) {
      Map<UUID, Object[]> found = new HashMap<>();
      SqlCall.on(c, sql.linkBatchesForShare)
          .bindArray("ids", "uuid", new ArrayList<>(new TreeSet<>(joined.keySet())))
          .query(
              rs ->
                  found.put(
                      rs.getObject("id", UUID.class),
                      new Object[] {
                        rs.getString("tenant"),
                        rs.getObject("completed_at"),
                        rs.getObject("cancelled_at")
                      }));
      for (Map.Entry<UUID, String> e : joined.entrySet()) {
        Object[] row = found.get(e.getKey());
        if (row == null || !row[0].equals(e.getValue())) {
          throw new InvalidJobException(
              "batchId", "names no batch " + e.getKey() + " in tenant " + e.getValue());
        }
        if (row[1] != null) {
          throw new InvalidJobException(
              "batchId", "names batch " + e.getKey() + ", which is already complete");
        }
        if (row[2] != null) {
          throw new InvalidJobException(
              "batchId", "names batch " + e.getKey() + ", which was cancelled");
        }
      }
    }
    if (!depIds.isEmpty()) {
      // In id order, like finishes and heartbeats, so these row locks never deadlock with theirs.
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < depIds.size(); i++) {
        order.add(i);
      }
      order.sort(java.util.Comparator.comparing(depIds::get));
      List<UUID> sortedIds = new ArrayList<>();
      List<String> sortedTenants = new ArrayList<>();
      for (int i : order) {
        sortedIds.add(depIds.get(i));
        sortedTenants.add(depTenants.get(i));
      }
      depIds = sortedIds;
      depTenants = sortedTenants;
      Set<String> exist = new HashSet<>();
      SqlCall.on(c, sql.linkMarkDependencies)
          .bindArray("ids", "uuid", depIds)
          .bindArray("tenants", "text", depTenants)
          .query(rs -> exist.add(rs.getObject("id", UUID.class) + "/" + rs.getString("tenant")));
      for (int i = 0; i < depIds.size(); i++) {
        if (!exist.contains(depIds.get(i) + "/" + depTenants.get(i))) {
          throw new InvalidJobException(
              "dependsOn", "names no job " + depIds.get(i) + " in tenant " + depTenants.get(i));
        }
      }
    }
  }

  /**
   * After the insert, in the same transaction: the new batches, the edges of the created blocked
   * jobs, the marks on dependencies inside the request, and a first resolution (dependencies that
   * already ended, a batch left without members by idempotency).
   */
  void afterInsert(Connection c, EnqueueRequest request, EnqueueResponse response)
      throws SQLException {
    if (!request.batches().isEmpty()) {
      List<UUID> ids = new ArrayList<>();
      List<String> tenants = new ArrayList<>();
      List<Integer> caps = new ArrayList<>();
      List<UUID> onSuccess = new ArrayList<>();
      List<UUID> onComplete = new ArrayList<>();
      for (NewBatch b : request.batches()) {
        ids.add(b.id());
        tenants.add(b.tenant());
        caps.add(b.maxRunning());
        onSuccess.add(b.onSuccessJob());
        onComplete.add(b.onCompleteJob());
      }
      SqlCall.on(c, sql.batchInsert)
          .bindArray("ids", "uuid", ids)
          .bindArray("tenants", "text", tenants)
          .bindArray("maxRunning", "int4", caps)
          .bindArray("onSuccess", "uuid", onSuccess)
          .bindArray("onComplete", "uuid", onComplete)
          .update();
    }
    Set<UUID> created = new HashSet<>();
    // A job of the request that its idempotency key resolved to an existing job: its dependents
    // wait for that job instead.
    Map<UUID, UUID> resolvedTo = new HashMap<>();
    for (int i = 0; i < request.jobs().size(); i++) {
      UUID id = request.jobs().get(i).id();
      if (response.results().get(i).created()) {
        created.add(id);
      } else {
        resolvedTo.put(id, response.results().get(i).id());
      }
    }
    Set<UUID> inRequest = new HashSet<>();
    request.jobs().forEach(j -> inRequest.add(j.id()));
    List<UUID> edgeFrom = new ArrayList<>();
    List<UUID> edgeTo = new ArrayList<>();
    Set<UUID> ended = new LinkedHashSet<>();
    List<UUID> markIds = new ArrayList<>();
    List<String> markTenants = new ArrayList<>();
    for (NewJob j : request.jobs()) {
      if (!created.contains(j.id())) {
        continue;
      }
      for (UUID dependency : j.links().dependsOn()) {
        UUID d = resolvedTo.getOrDefault(dependency, dependency);
        edgeFrom.add(d);
        edgeTo.add(j.id());
        if (!created.contains(d)) {
          ended.add(d); // a job created just now cannot have ended: nothing to resolve for it
        }
        if (inRequest.contains(dependency) && !created.contains(d)) {
          // Resolved to an existing job by its idempotency key: mark that one. (Jobs created by
          // this request were stored marked.)
          markIds.add(d);
          markTenants.add(j.tenant());
        }
      }
    }
    if (!edgeFrom.isEmpty()) {
      SqlCall.on(c, sql.dependencyInsert)
          .bindArray("dependsOn", "uuid", edgeFrom)
          .bindArray("jobIds", "uuid", edgeTo)
          .update();
    }
    if (!markIds.isEmpty()) {
      SqlCall.on(c, sql.linkMarkDependencies)
          .bindArray("ids", "uuid", markIds)
          .bindArray("tenants", "text", markTenants)
          .query(rs -> rs.getObject("id", UUID.class));
    }
    Set<UUID> batches = new LinkedHashSet<>();
    request.batches().forEach(b -> batches.add(b.id()));
    Resolution r = new Resolution();
    r.ended.addAll(ended);
    r.batches.addAll(batches);
    while (r.round(c)) {
      // all rounds in the caller's transaction
    }
  }

  // ---------------------------------------------------------------- resolve

  /** Resolves in transactions of its own, one per round, so no lock outlives its round. */
  public ResolveResult resolve(ResolveRequest request) {
    Resolution r = new Resolution();
    r.ended.addAll(request.ended());
    r.batches.addAll(request.batches());
    if (request.sweep()) {
      db.autoCommit(
          "resolveBlocked",
          c -> {
            SqlCall.on(c, sql.sweepDependencies)
                .bind("limit", request.limit())
                .query(rs -> r.ended.add(rs.getObject(1, UUID.class)));
            SqlCall.on(c, sql.sweepBatches)
                .bind("limit", request.limit())
                .query(rs -> r.batches.add(rs.getObject(1, UUID.class)));
            return null;
          });
    }
    for (int i = 0; i < MAX_ROUNDS; i++) {
      if (!db.inTransaction("resolveBlocked", r::round)) {
        break;
      }
    }
    return new ResolveResult(r.released, r.cancelled, r.failed, r.completed);
  }

  /**
   * One resolution, round by round: ended jobs → their dependents and batches → what that ended.
   */
  private final class Resolution {
    final Set<UUID> ended = new LinkedHashSet<>();
    final Set<UUID> batches = new LinkedHashSet<>();
    final Set<UUID> released = new HashSet<>();
    final Set<UUID> cancelled = new HashSet<>();
    final Set<UUID> failed = new HashSet<>();
    final Set<UUID> completed = new HashSet<>();

    /** Works off what is pending now; returns whether the round left more to do. */
    boolean round(Connection c) throws SQLException {
      List<UUID> now = new ArrayList<>(ended);
      ended.clear();
      Set<UUID> endedNow = new LinkedHashSet<>();
      if (!now.isEmpty()) {
        SqlCall.on(c, sql.resolveBatchesOf)
            .bindArray("ids", "uuid", now)
            .query(rs -> batches.add(rs.getObject(1, UUID.class)));
        Set<UUID> waiting = new TreeSet<>();
        SqlCall.on(c, sql.resolveDependents)
            .bindArray("ids", "uuid", now)
            .query(rs -> waiting.add(rs.getObject(1, UUID.class)));
        if (!waiting.isEmpty()) {
          endedNow.addAll(decide(c, new ArrayList<>(waiting), now));
        }
      }
      List<UUID> toComplete = new ArrayList<>(new TreeSet<>(batches));
      batches.clear();
      for (UUID b : toComplete) {
        endedNow.addAll(complete(c, b));
      }
      ended.addAll(endedNow);
      return !ended.isEmpty() || !batches.isEmpty();
    }

    /**
     * Decides the blocked jobs waiting for {@code endedIds}. Edges of a job that keeps waiting are
     * dropped only to those ended jobs: a dependency that succeeded after the evaluation read its
     * state must keep its edge, so that its own resolution (or the sweep) finds the job again.
     */
    private List<UUID> decide(Connection c, List<UUID> waiting, List<UUID> endedIds)
        throws SQLException {
      List<UUID> locked =
          SqlCall.on(c, sql.resolveLockBlocked)
              .bindArray("ids", "uuid", waiting)
              .query(rs -> rs.getObject(1, UUID.class));
      // The lock waits rather than skips: a job it did not return is not blocked any more (it was
      // cancelled while waiting, or is gone), and its edges only clutter the table and the sweep.
      List<UUID> stale = new ArrayList<>(waiting);
      stale.removeAll(locked);
      if (!stale.isEmpty()) {
        SqlCall.on(c, sql.resolveDropEdges).bindArray("ids", "uuid", stale).update();
      }
      if (locked.isEmpty()) {
        return List.of();
      }
      List<UUID> ready = new ArrayList<>();
      List<UUID> endIds = new ArrayList<>();
      List<String> endStates = new ArrayList<>();
      List<String> endMessages = new ArrayList<>();
      SqlCall.on(c, sql.resolveEvaluate)
          .bindArray("ids", "uuid", locked)
          .query(
              rs -> {
                UUID id = rs.getObject("id", UUID.class);
                String bad = rs.getString("failed_dependency");
                if (bad != null) {
                  endIds.add(id);
                  endStates.add(
                      "fail".equals(rs.getString("dependency_failure")) ? "failed" : "cancelled");
                  endMessages.add("dependency " + bad + ", so this job will not run");
                } else if (rs.getBoolean("ready")) {
                  ready.add(id);
                }
                return id;
              });
      List<UUID> decided = new ArrayList<>();
      if (!ready.isEmpty()) {
        decided.addAll(release(c, ready));
      }
      List<UUID> ends = new ArrayList<>();
      if (!endIds.isEmpty()) {
        ends.addAll(end(c, endIds, endStates, endMessages));
        decided.addAll(ends);
      }
      if (!decided.isEmpty()) {
        SqlCall.on(c, sql.resolveDropEdges).bindArray("ids", "uuid", decided).update();
      }
      List<UUID> stillWaiting = new ArrayList<>(locked);
      stillWaiting.removeAll(decided);
      if (!stillWaiting.isEmpty()) {
        SqlCall.on(c, sql.resolveDropSatisfied)
            .bindArray("ids", "uuid", stillWaiting)
            .bindArray("ended", "uuid", endedIds)
            .update();
      }
      return ends;
    }

    private List<UUID> release(Connection c, List<UUID> ids) throws SQLException {
      List<UUID> out =
          SqlCall.on(c, sql.resolveRelease)
              .bindArray("ids", "uuid", ids)
              .bind("channel", channel)
              .bind("notify", notify)
              .query(rs -> rs.getObject(1, UUID.class));
      released.addAll(out);
      return out;
    }

    private List<UUID> end(Connection c, List<UUID> ids, List<String> states, List<String> messages)
        throws SQLException {
      List<UUID> out = new ArrayList<>();
      SqlCall.on(c, sql.resolveEnd)
          .bindArray("ids", "uuid", ids)
          .bindArray("states", "text", states)
          .bindArray("messages", "text", messages)
          .query(
              rs -> {
                UUID id = rs.getObject("id", UUID.class);
                ("failed".equals(rs.getString("state")) ? failed : cancelled).add(id);
                out.add(id);
                return id;
              });
      return out;
    }

    /** Completes an open batch without active members; returns the callback it cancelled. */
    private List<UUID> complete(Connection c, UUID batch) throws SQLException {
      if (active(c, batch)) {
        return List.of();
      }
      List<UUID[]> locked =
          SqlCall.on(c, sql.batchLock)
              .bind("id", batch)
              .query(
                  rs ->
                      new UUID[] {
                        rs.getObject("on_success_job", UUID.class),
                        rs.getObject("on_complete_job", UUID.class)
                      });
      if (locked.isEmpty() || active(c, batch)) {
        return List.of(); // completed by another resolver, or a member joined meanwhile
      }
      Map<JobState, Long> counts = counts(c, batch);
      SqlCall.on(c, sql.batchComplete)
          .bind("id", batch)
          .bind("counts", countsJson(counts))
          .update();
      completed.add(batch);
      UUID onSuccess = locked.get(0)[0];
      UUID onComplete = locked.get(0)[1];
      List<UUID> release = new ArrayList<>();
      if (onComplete != null) {
        release.add(onComplete);
      }
      long failedMembers = counts.getOrDefault(JobState.FAILED, 0L);
      long cancelledMembers = counts.getOrDefault(JobState.CANCELLED, 0L);
      List<UUID> ends = new ArrayList<>();
      if (onSuccess != null) {
        if (failedMembers + cancelledMembers == 0) {
          release.add(onSuccess);
        } else {
          ends.addAll(
              end(
                  c,
                  List.of(onSuccess),
                  List.of("cancelled"),
                  List.of(
                      "batch "
                          + batch
                          + " did not fully succeed: "
                          + failedMembers
                          + " FAILED, "
                          + cancelledMembers
                          + " CANCELLED")));
        }
      }
      if (!release.isEmpty()) {
        release(c, release);
      }
      return ends;
    }

    private boolean active(Connection c, UUID batch) throws SQLException {
      return SqlCall.on(c, sql.batchActive).bind("id", batch).query(rs -> rs.getBoolean(1)).get(0);
    }
  }

  private Map<JobState, Long> counts(Connection c, UUID batch) throws SQLException {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    SqlCall.on(c, sql.batchCounts)
        .bind("id", batch)
        .query(rs -> counts.put(JobStates.fromColumn(rs.getString("state")), rs.getLong("n")));
    return counts;
  }

  private static String countsJson(Map<JobState, Long> counts) {
    StringBuilder b = new StringBuilder("{");
    counts.forEach(
        (s, n) -> {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append('"').append(JobStates.toColumn(s)).append("\":").append(n);
        });
    return b.append('}').toString();
  }

  private static Map<JobState, Long> parseCounts(String json) {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    if (json == null) {
      return counts;
    }
    String body = json.trim();
    body = body.substring(1, body.length() - 1).trim();
    if (body.isEmpty()) {
      return counts;
    }
    for (String pair : body.split(",")) {
      String[] kv = pair.split(":");
      String key = kv[0].trim().replace("\"", "");
      counts.put(JobStates.fromColumn(key), Long.parseLong(kv[1].trim()));
    }
    return counts;
  }

  // ---------------------------------------------------------------- batches

  public Optional<StoredBatch> find(BatchRef ref) {
    return db.inTransaction(
        "findBatch",
        c -> {
          List<StoredBatch> rows =
              SqlCall.on(c, sql.batchFind)
                  .bind("id", ref.id())
                  .bind("tenant", ref.tenant())
                  .query(
                      rs ->
                          new StoredBatch(
                              rs.getObject("id", UUID.class),
                              rs.getString("tenant"),
                              rs.getInt("max_running"),
                              rs.getObject("on_success_job", UUID.class),
                              rs.getObject("on_complete_job", UUID.class),
                              JobRowMapper.instant(rs, "created_at"),
                              JobRowMapper.instant(rs, "completed_at"),
                              parseCounts(rs.getString("counts")),
                              JobRowMapper.instant(rs, "cancelled_at")));
          if (rows.isEmpty()) {
            return Optional.empty();
          }
          StoredBatch b = rows.get(0);
          if (b.completedAt() != null) {
            return Optional.of(b);
          }
          return Optional.of(
              new StoredBatch(
                  b.id(),
                  b.tenant(),
                  b.maxRunning(),
                  b.onSuccessJob(),
                  b.onCompleteJob(),
                  b.createdAt(),
                  null,
                  counts(c, b.id()),
                  b.cancelledAt()));
        });
  }

  public BatchCancelResult cancel(BatchRef ref) {
    return db.inTransaction(
        "cancelBatch",
        c -> {
          boolean found =
              !SqlCall.on(c, sql.batchMarkCancelled)
                  .bind("id", ref.id())
                  .bind("tenant", ref.tenant())
                  .query(rs -> rs.getObject("id", UUID.class))
                  .isEmpty();
          if (!found) {
            return new BatchCancelResult(false, Set.of());
          }
          List<UUID> ids =
              SqlCall.on(c, sql.batchCancel)
                  .bind("id", ref.id())
                  .bind("tenant", ref.tenant())
                  .bind("reason", "batch " + ref.id() + " cancelled")
                  .query(rs -> rs.getObject(1, UUID.class));
          return new BatchCancelResult(true, new HashSet<>(ids));
        });
  }
}
