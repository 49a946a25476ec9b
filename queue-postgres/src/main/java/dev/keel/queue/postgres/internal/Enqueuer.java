package dev.keel.queue.postgres.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.JobLinks;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.NewJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Inserts a batch of jobs on a connection whose transaction the caller controls. The insert is one
 * statement; idempotency keys are arbitrated by the database (see {@code enqueue_jobs.sql}), so
 * concurrent enqueues of one key create exactly one job. Only when some job was not inserted does a
 * second statement look up the holders of their keys.
 */
public final class Enqueuer {
  /** Attempts to settle a key whose holder finished between our insert and our lookup. */
  private static final int MAX_ROUNDS = 5;

  private final Statements sql;
  private final String channel;
  private final boolean notify;

  private final LinkStore links;

  public Enqueuer(Statements sql, String channel, boolean notify, LinkStore links) {
    this.links = links;
    this.sql = sql;
    this.channel = channel;
    this.notify = notify;
  }

  /**
   * Enqueues {@code jobs} on {@code connection}, inside its current transaction.
   *
   * @param undoOnConflict delete what was inserted before throwing a conflict, for a transaction
   *     the caller (not Keel) will commit
   * @throws IdempotencyConflictException if a key is held by a job with another payload
   */
  public EnqueueResponse enqueue(
      Connection connection, EnqueueRequest request, boolean undoOnConflict) throws SQLException {
    if (!request.hasLinks()) {
      return enqueue(connection, request.jobs(), undoOnConflict);
    }
    links.checkBeforeInsert(connection, request);
    EnqueueResponse response = enqueue(connection, request.jobs(), undoOnConflict);
    links.afterInsert(connection, request, response);
    return response;
  }

  /** True if {@link #enqueue} is one auto-committable statement for this request. */
  public static boolean oneStatement(EnqueueRequest request) {
    return !request.hasLinks() && oneStatement(request.jobs());
  }

  public EnqueueResponse enqueue(Connection connection, List<NewJob> jobs, boolean undoOnConflict)
      throws SQLException {
    try {
      return insertAll(connection, jobs, undoOnConflict);
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("jobs_pkey")) {
        throw new dev.keel.queue.InvalidJobException(
            "id",
            "is already the id of a stored job: an id chosen with JobRequest.withId must be new"
                + " (nothing of the request was written)");
      }
      throw e;
    }
  }

  private EnqueueResponse insertAll(
      Connection connection, List<NewJob> jobs, boolean undoOnConflict) throws SQLException {
    if (oneStatement(jobs)) {
      insertKeyless(connection, jobs);
      List<EnqueueResult> created = new ArrayList<>(jobs.size());
      for (NewJob job : jobs) {
        created.add(new EnqueueResult(job.id(), true, JobState.PENDING));
      }
      return new EnqueueResponse(created);
    }
    EnqueueResult[] results = new EnqueueResult[jobs.size()];
    List<UUID> insertedIds = new ArrayList<>();
    List<Integer> todo = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      todo.add(i);
    }
    for (int round = 0; round < MAX_ROUNDS && !todo.isEmpty(); round++) {
      Set<UUID> inserted = insert(connection, jobs, todo);
      List<Integer> skipped = new ArrayList<>();
      for (int i : todo) {
        NewJob job = jobs.get(i);
        if (inserted.contains(job.id())) {
          results[i] = new EnqueueResult(job.id(), true, JobState.PENDING);
          insertedIds.add(job.id());
        } else {
          skipped.add(i);
        }
      }
      todo = resolveHolders(connection, jobs, skipped, results, insertedIds, undoOnConflict);
    }
    if (!todo.isEmpty()) {
      throw new BackendUnavailableException(
          "PostgreSQL backend: idempotency keys kept changing hands during enqueue; retry the call");
    }
    return new EnqueueResponse(Arrays.asList(results));
  }

  /** Whether {@link #enqueue} stores {@code jobs} with one statement (none has a key). */
  public static boolean oneStatement(List<NewJob> jobs) {
    for (NewJob job : jobs) {
      if (job.idempotencyKey() != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Jobs without idempotency keys cannot conflict, so they take a plain insert: without the
   * arbitration, the look-up of finished key holders and the ordering by key that {@code
   * enqueue_jobs.sql} needs for keyed jobs.
   */
  private void insertKeyless(Connection connection, List<NewJob> jobs) throws SQLException {
    bindColumns(SqlCall.on(connection, sql.enqueueKeyless), jobs, false).query(rs -> rs.getLong(1));
  }

  private Set<UUID> insert(Connection connection, List<NewJob> jobs, List<Integer> indices)
      throws SQLException {
    List<NewJob> batch = new ArrayList<>(indices.size());
    for (int i : indices) {
      batch.add(jobs.get(i));
    }
    List<UUID> inserted =
        bindColumns(SqlCall.on(connection, sql.enqueue), batch, true)
            .query(rs -> rs.getObject(1, UUID.class));
    return new HashSet<>(inserted);
  }

  /**
   * Everything about a job but its id, payload, key and traceparent (a tracer gives each job its
   * own). The jobs of a bulk enqueue share a few profiles, so each is sent once and a job names its
   * profile by number.
   */
  private record Profile(
      String type,
      String queue,
      String tenant,
      int priority,
      int maxAttempts,
      String runAt,
      long delayMillis,
      Long timeoutMillis,
      Long windowMillis,
      Map<String, String> metadata,
      String concurrencyKey,
      Integer concurrencyLimit,
      UUID batchId,
      String dependencyFailure,
      UUID callbackOf,
      Boolean callbackOnSuccess,
      boolean blocked) {

    static Profile of(NewJob job, boolean withWindow) {
      JobLinks l = job.links();
      return new Profile(
          job.type(),
          job.queue(),
          job.tenant(),
          job.priority(),
          job.maxAttempts(),
          job.runAt() == null ? null : job.runAt().toString(),
          job.delay().toMillis(),
          job.timeout() == null ? null : job.timeout().toMillis(),
          withWindow ? Enqueuer.windowMillis(job) : null,
          job.metadata(),
          job.concurrencyKey(),
          job.concurrencyKey() == null ? null : job.concurrencyLimit(),
          l.batchId(),
          l.dependsOn().isEmpty()
              ? null
              : l.onDependencyFailure().name().toLowerCase(java.util.Locale.ROOT),
          l.callbackOf(),
          l.callbackOf() == null ? null : l.onlyOnBatchSuccess(),
          l.startsBlocked());
    }

    static String uuidArray(List<UUID> ids) {
      StringBuilder b = new StringBuilder("{");
      for (UUID id : ids) {
        if (b.length() > 1) {
          b.append(',');
        }
        b.append(id);
      }
      return b.append('}').toString();
    }
  }

  /**
   * Binds what both insert statements take: per job its id, payload, profile number (and key), and
   * the profiles' columns, one array element per profile.
   */
  private SqlCall bindColumns(SqlCall call, List<NewJob> jobs, boolean withKeys)
      throws SQLException {
    int n = jobs.size();
    Map<Profile, Integer> numbers = new HashMap<>();
    List<Profile> profiles = new ArrayList<>();
    List<UUID> ids = new ArrayList<>(n);
    List<String> payloads = new ArrayList<>(n);
    List<Integer> profileOfJob = new ArrayList<>(n);
    List<String> traceparents = new ArrayList<>(n);
    List<String> dependsOn = new ArrayList<>(n);
    List<Boolean> hasDependents = new ArrayList<>(n);
    // Jobs of the request that others of it wait for are stored marked (V008), no UPDATE later.
    Set<UUID> waitedFor = new HashSet<>();
    for (NewJob job : jobs) {
      waitedFor.addAll(job.links().dependsOn());
    }
    List<String> keys = withKeys ? new ArrayList<>(n) : null;
    NewJob previous = null;
    Integer number = null;
    for (NewJob job : jobs) {
      // Jobs of a bulk enqueue mostly come in runs of one profile: no need to build and hash it.
      if (previous == null || !previous.sameSettingsButTraceAs(job)) {
        Profile profile = Profile.of(job, withKeys);
        number = numbers.get(profile);
        if (number == null) {
          profiles.add(profile);
          number = profiles.size();
          numbers.put(profile, number);
        }
        previous = job;
      }
      ids.add(job.id());
      payloads.add(job.payload());
      profileOfJob.add(number);
      traceparents.add(job.traceparent());
      // Per job, not per profile: dependents of a bulk enqueue mostly wait for different jobs.
      dependsOn.add(
          job.links().dependsOn().isEmpty() ? null : Profile.uuidArray(job.links().dependsOn()));
      hasDependents.add(waitedFor.contains(job.id()) ? Boolean.TRUE : null);
      if (withKeys) {
        keys.add(job.idempotencyKey());
      }
    }
    call.bindArray("ids", "uuid", ids)
        .bindArray("payloads", "text", payloads)
        .bindArray("profiles", "int4", profileOfJob)
        .bindArray("types", "text", column(profiles, Profile::type))
        .bindArray("queues", "text", column(profiles, Profile::queue))
        .bindArray("tenants", "text", column(profiles, Profile::tenant))
        .bindArray("priorities", "int4", column(profiles, Profile::priority))
        .bindArray("maxAttempts", "int4", column(profiles, Profile::maxAttempts))
        .bindArray("runAts", "text", column(profiles, Profile::runAt))
        .bindArray("delayMillis", "int8", column(profiles, Profile::delayMillis))
        .bindArray("timeoutMillis", "int8", column(profiles, Profile::timeoutMillis))
        .bindArray("traceparents", "text", traceparents)
        .bindArray("metadata", "text", column(profiles, pr -> MetadataJson.write(pr.metadata())))
        .bindArray("concurrencyKeys", "text", column(profiles, Profile::concurrencyKey))
        .bindArray("concurrencyLimits", "int4", column(profiles, Profile::concurrencyLimit))
        .bindArray("batchIds", "uuid", column(profiles, Profile::batchId))
        .bindArray("dependsOn", "text", dependsOn)
        .bindArray("hasDependents", "bool", hasDependents)
        .bindArray("dependencyFailures", "text", column(profiles, Profile::dependencyFailure))
        .bindArray("callbackOf", "uuid", column(profiles, Profile::callbackOf))
        .bindArray("callbackOnSuccess", "bool", column(profiles, Profile::callbackOnSuccess))
        .bindArray("blocked", "bool", column(profiles, Profile::blocked))
        .bind("channel", channel)
        .bind("notify", notify);
    if (withKeys) {
      call.bindArray("keys", "text", keys)
          .bindArray("windowMillis", "int8", column(profiles, Profile::windowMillis));
    }
    return call;
  }

  /** One column of the profiles, in profile-number order (nulls kept). */
  private static List<Object> column(List<Profile> profiles, Function<Profile, ?> value) {
    List<Object> column = new ArrayList<>(profiles.size());
    for (Profile profile : profiles) {
      column.add(value.apply(profile));
    }
    return column;
  }

  /**
   * Settles jobs that were not inserted: each is answered by the job holding its key, or returned
   * for another insert round if no job holds it any more.
   */
  private List<Integer> resolveHolders(
      Connection connection,
      List<NewJob> jobs,
      List<Integer> skipped,
      EnqueueResult[] results,
      List<UUID> insertedIds,
      boolean undoOnConflict)
      throws SQLException {
    if (skipped.isEmpty()) {
      return List.of();
    }
    List<String> tenants = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    List<Long> windows = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    for (int i : skipped) {
      NewJob job = jobs.get(i);
      if (job.idempotencyKey() == null) {
        throw new IllegalStateException("job " + job.id() + " without a key was not inserted");
      }
      tenants.add(job.tenant());
      keys.add(job.idempotencyKey());
      windows.add(windowMillis(job));
      payloads.add(job.payload());
    }
    Map<Integer, Holder> holders = new HashMap<>();
    for (Holder h :
        SqlCall.on(connection, sql.findKeyHolders)
            .bindArray("tenants", "text", tenants)
            .bindArray("keys", "text", keys)
            .bindArray("windowMillis", "int8", windows)
            .bindArray("payloads", "text", payloads)
            .query(
                rs ->
                    new Holder(
                        rs.getInt("ord") - 1,
                        rs.getObject("id", UUID.class),
                        JobStates.fromColumn(rs.getString("state")),
                        rs.getBoolean("same_payload")))) {
      holders.put(h.position(), h);
    }
    List<Integer> retry = new ArrayList<>();
    for (int p = 0; p < skipped.size(); p++) {
      int i = skipped.get(p);
      Holder h = holders.get(p);
      if (h == null) {
        retry.add(i);
      } else if (!h.samePayload()) {
        if (undoOnConflict && !insertedIds.isEmpty()) {
          SqlCall.on(connection, sql.deleteJobs).bindArray("ids", "uuid", insertedIds).update();
        }
        NewJob job = jobs.get(i);
        throw new IdempotencyConflictException(job.tenant(), job.idempotencyKey(), h.id());
      } else {
        results[i] = new EnqueueResult(h.id(), false, h.state());
      }
    }
    return retry;
  }

  private static Long windowMillis(NewJob job) {
    return job.idempotencyPolicy() instanceof IdempotencyPolicy.Window w
        ? w.duration().toMillis()
        : null;
  }

  private record Holder(int position, UUID id, JobState state, boolean samePayload) {}
}
