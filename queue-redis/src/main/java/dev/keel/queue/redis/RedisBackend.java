package dev.keel.queue.redis;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.Lease;
import dev.keel.queue.Limits;
import dev.keel.queue.redis.internal.JobHashes;
import dev.keel.queue.redis.internal.LuaScripts;
import dev.keel.queue.redis.internal.Micros;
import dev.keel.queue.redis.internal.NamespaceKeys;
import dev.keel.queue.redis.internal.RedisConnections;
import dev.keel.queue.redis.internal.RedisErrors;
import dev.keel.queue.redis.internal.RedisOps;
import dev.keel.queue.redis.internal.RedisSchedules;
import dev.keel.queue.redis.internal.RedisSteps;
import dev.keel.queue.redis.internal.RedisUrl;
import dev.keel.queue.redis.internal.WakeupHub;
import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.BatchCancelResult;
import dev.keel.queue.spi.BatchRef;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.NewBatch;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PingResult;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import dev.keel.queue.spi.ResolveRequest;
import dev.keel.queue.spi.ResolveResult;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.ScheduleChangeResult;
import dev.keel.queue.spi.ScheduleFireRequest;
import dev.keel.queue.spi.ScheduleFireResult;
import dev.keel.queue.spi.ScheduleListRequest;
import dev.keel.queue.spi.SchedulePage;
import dev.keel.queue.spi.SchedulePauseRequest;
import dev.keel.queue.spi.ScheduleRef;
import dev.keel.queue.spi.ScheduleUpsertRequest;
import dev.keel.queue.spi.ScheduleUpsertResult;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredBatch;
import dev.keel.queue.spi.StoredSample;
import dev.keel.queue.spi.StoredSchedule;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.SuspendRequest;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Redis backend: jobs as hashes, per-queue ready sorted sets and registries, every multi-key
 * change one Lua script called by SHA, all keys of a namespace under one hash tag so that it runs
 * unchanged on Redis Cluster. The key layout is described in {@code queue-redis/KEYS.md}.
 *
 * <pre>{@code
 * QueueBackend backend = RedisBackend.builder()
 *     .url("redis://:secret@localhost:6379/0")
 *     .namespace("orders")
 *     .build();
 * }</pre>
 *
 * <p>Times (due, leases, createdAt…) come from Redis {@code TIME} inside the scripts. Connection
 * failures and server errors are thrown as {@link dev.keel.queue.BackendUnavailableException} with
 * the password masked. Thread-safe.
 */
public final class RedisBackend implements QueueBackend {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBackend.class);
  private static final int PROMOTE_LIMIT = 1_000;

  /** Jobs one call of list.lua examines at most on its id walk (about 5 ms of Redis time). */
  static final int LIST_SCAN_BUDGET = 2_000;

  private final UnifiedJedis client;
  private final boolean ownsClient;
  private final NamespaceKeys keys;
  private final RedisErrors errors;
  private final LuaScripts scripts;
  private final RedisSchedules schedules;
  private final RedisOps ops;
  private final RedisSteps steps;
  private final WakeupHub wakeups;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Duration finishedJobTtl;
  private final AtomicBoolean retentionWarned = new AtomicBoolean();

  private RedisBackend(Builder b) {
    this.keys = new NamespaceKeys(b.namespace);
    if (b.client != null) {
      this.client = b.client;
      this.ownsClient = false;
    } else {
      this.client = RedisConnections.open(b.url, b.maxConnections, b.tls);
      this.ownsClient = true;
    }
    String target = b.url != null ? b.url.masked() : "an application-supplied client";
    this.errors =
        new RedisErrors(target, b.url != null ? b.url.source() : null, this::dropIdleConnections);
    this.finishedJobTtl = b.finishedJobTtl;
    this.scripts = new LuaScripts(client, keys, errors, b.finishedJobTtl.toMillis());
    this.schedules = new RedisSchedules(scripts);
    this.ops = new RedisOps(scripts);
    this.steps = new RedisSteps(scripts);
    this.description = kind(client) + " at " + target + ", namespace " + b.namespace;
    this.wakeups = new WakeupHub(client, keys, scripts, this::knownQueues, target);
  }

  /** A builder; set either {@link Builder#url} or {@link Builder#client}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The namespace every key of this backend lives in. */
  public String namespace() {
    return keys.namespace();
  }

  /** The client in use; package-private for tests that inspect keys. */
  UnifiedJedis client() {
    return client;
  }

  /**
   * Workers sizing their own prefetch claim at most this many jobs ahead of their free slots, so a
   * claim asks for at most concurrency + 128 jobs. A claim script blocks the whole server while it
   * runs (~35 us per job on a 2-core machine); at concurrency 8 this keeps it near 4 ms, and deeper
   * claims processed no more jobs per second: {@code bench/run redis 20000 8 --workloads=burn-down
   * --prefetch=N} gave 23,000-26,000 jobs/s at 128 and 18,500-23,400 at 512, whose claim and finish
   * scripts ran ~20 ms each.
   */
  static final int PREFERRED_CLAIM_SIZE = 128;

  private static final BackendCapabilities CAPABILITIES =
      new BackendCapabilities(
              "redis", true, false, true, Limits.MAX_BATCH_SIZE, PREFERRED_CLAIM_SIZE)
          .withSchedules(true)
          .withOpsData(true)
          .withCoordination(true)
          .withSteps(true);

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest request) {
    EnqueueResponse response = enqueueJobs(request);
    if (request.hasLinks()) {
      resolveAfterEnqueue(request, response);
    }
    return response;
  }

  /**
   * What a linked request makes decidable at once (see {@link QueueBackend#enqueue}), resolved by
   * the resolve script right after the enqueue script. The jobs are stored by then: if this second
   * call fails, the maintenance sweep resolves them, so the failure is logged, not thrown (a caller
   * that retried would enqueue nothing new).
   */
  private void resolveAfterEnqueue(EnqueueRequest request, EnqueueResponse response) {
    Set<UUID> created = new HashSet<>();
    Map<UUID, UUID> resolvedTo = new HashMap<>();
    for (int i = 0; i < request.jobs().size(); i++) {
      UUID asked = request.jobs().get(i).id();
      if (response.results().get(i).created()) {
        created.add(asked);
      } else {
        resolvedTo.put(asked, response.results().get(i).id());
      }
    }
    Set<UUID> ended = new HashSet<>();
    for (NewJob j : request.jobs()) {
      for (UUID d : j.links().dependsOn()) {
        UUID dep = resolvedTo.getOrDefault(d, d);
        if (!created.contains(dep)) {
          ended.add(dep);
        }
      }
    }
    Set<UUID> batches = new HashSet<>();
    request.batches().forEach(b -> batches.add(b.id()));
    if (ended.isEmpty() && batches.isEmpty()) {
      return;
    }
    try {
      resolveBlocked(new ResolveRequest(ended, batches, false, 0));
    } catch (BackendUnavailableException e) {
      LOG.warn(
          "Enqueued linked jobs, but could not resolve what they made decidable; the maintenance"
              + " sweep will",
          e);
    }
  }

  private EnqueueResponse enqueueJobs(EnqueueRequest request) {
    List<NewJob> jobs = request.jobs();
    if (jobs.isEmpty()) {
      return new EnqueueResponse(List.of());
    }
    List<String> args = JobHashes.enqueueArgs(jobs);
    if (!request.batches().isEmpty()) {
      args = new ArrayList<>(args);
      args.add(Integer.toString(request.batches().size()));
      for (NewBatch b : request.batches()) {
        args.add(b.id().toString());
        args.add(b.tenant());
        args.add(Integer.toString(b.maxRunning()));
        args.add(b.onSuccessJob() == null ? "" : b.onSuccessJob().toString());
        args.add(b.onCompleteJob() == null ? "" : b.onCompleteJob().toString());
      }
    }
    List<?> reply = (List<?>) scripts.runResendable("enqueue", args);
    if (!reply.isEmpty() && "INVALID".equals(reply.get(0))) {
      throw new InvalidJobException((String) reply.get(1), (String) reply.get(2));
    }
    if (!reply.isEmpty() && "CONFLICT".equals(reply.get(0))) {
      throw new IdempotencyConflictException(
          (String) reply.get(1), (String) reply.get(2), UUID.fromString((String) reply.get(3)));
    }
    List<EnqueueResult> results = new ArrayList<>(jobs.size());
    if (reply.size() == 1 && "CREATED".equals(reply.get(0))) {
      // Every job was inserted under its own id: the script says so instead of echoing the batch.
      for (NewJob job : jobs) {
        results.add(new EnqueueResult(job.id(), true, JobState.PENDING));
      }
      return new EnqueueResponse(results);
    }
    for (int i = 0; i + 2 < reply.size(); i += 3) {
      results.add(
          new EnqueueResult(
              UUID.fromString((String) reply.get(i)),
              "1".equals(reply.get(i + 1)),
              JobState.valueOf((String) reply.get(i + 2))));
    }
    return new EnqueueResponse(results);
  }

  @Override
  public ClaimResponse claim(ClaimRequest request) {
    List<String> args = new ArrayList<>();
    args.add(request.workerId());
    args.add(Long.toString(Math.max(1, Micros.of(request.leaseDuration()))));
    args.add(Integer.toString(request.limit()));
    args.add(request.tenant() == null ? "" : request.tenant());
    addList(args, request.queues());
    addList(args, request.includeTypes());
    addList(args, request.excludeTypes());
    // One random base per call; the script appends the job's position, so every token is unique.
    String tokenBase = UUID.randomUUID().toString();
    args.add(tokenBase);
    List<?> reply = (List<?>) scripts.run("claim", args);
    String now = (String) reply.get(0);
    String expires = (String) reply.get(1);
    List<Job> jobs = new ArrayList<>(reply.size() - 2);
    for (int i = 2; i < reply.size(); i++) {
      String token = tokenBase + "." + (i - 1);
      jobs.add(JobHashes.fromClaimed(reply.get(i), request.workerId(), token, now, expires));
    }
    return new ClaimResponse(jobs);
  }

  @Override
  public FencedResult heartbeat(HeartbeatRequest request) {
    if (request.leases().isEmpty()) {
      return new FencedResult(Set.of(), Set.of());
    }
    List<String> args = new ArrayList<>(1 + 2 * request.leases().size());
    args.add(Long.toString(Math.max(1, Micros.of(request.leaseDuration()))));
    for (Lease lease : request.leases()) {
      args.add(lease.jobId().toString());
      args.add(lease.token());
    }
    return fenced(
        request.leases().stream().map(Lease::jobId).toList(), scripts.run("heartbeat", args));
  }

  @Override
  public FencedResult finish(FinishRequest request) {
    if (request.finishes().isEmpty()) {
      return new FencedResult(Set.of(), Set.of());
    }
    List<String> args = new ArrayList<>(6 * request.finishes().size());
    for (Finish finish : request.finishes()) {
      appendFinish(finish, args);
    }
    return fenced(
        request.finishes().stream().map(f -> f.lease().jobId()).toList(),
        scripts.run("finish", args));
  }

  private static void appendFinish(Finish finish, List<String> args) {
    String kind;
    Duration delay = Duration.ZERO;
    String message = "";
    String trace = "";
    if (finish instanceof Finish.Succeed) {
      kind = "SUCCEED";
    } else if (finish instanceof Finish.Retry r) {
      kind = "RETRY";
      delay = r.delay();
      message = r.error().message();
      trace = r.error().stackTrace();
    } else if (finish instanceof Finish.Fail f) {
      kind = "FAIL";
      message = f.error().message();
      trace = f.error().stackTrace();
    } else if (finish instanceof Finish.Snooze s) {
      kind = "SNOOZE";
      delay = s.delay();
    } else if (finish instanceof Finish.Cancel c) {
      kind = "CANCEL";
      message = c.reason();
    } else if (finish instanceof Finish.Release) {
      kind = "RELEASE";
    } else {
      throw new IllegalArgumentException("unknown Finish " + finish.getClass().getName());
    }
    args.add(kind);
    args.add(finish.lease().jobId().toString());
    args.add(finish.lease().token());
    args.add(Long.toString(Micros.of(delay)));
    args.add(message);
    args.add(trace);
  }

  @Override
  public FencedResult progress(ProgressRequest request) {
    if (request.updates().isEmpty()) {
      return new FencedResult(Set.of(), Set.of());
    }
    List<String> args = new ArrayList<>(4 * request.updates().size());
    for (ProgressRequest.Update update : request.updates()) {
      args.add(update.lease().jobId().toString());
      args.add(update.lease().token());
      args.add(Integer.toString(update.progress().percent()));
      args.add(update.progress().message());
    }
    return fenced(
        request.updates().stream().map(u -> u.lease().jobId()).toList(),
        scripts.run("progress", args));
  }

  @Override
  public ChangeResult cancel(CancelRequest request) {
    JobRef ref = request.job();
    return change(
        scripts.run("cancel", List.of(ref.tenant(), ref.id().toString(), request.reason())));
  }

  @Override
  public ChangeResult redrive(RedriveRequest request) {
    JobRef ref = request.job();
    return change(scripts.run("redrive", List.of(ref.tenant(), ref.id().toString())));
  }

  @Override
  public Optional<Job> find(JobRef ref) {
    Map<String, String> fields;
    try {
      fields = client.hgetAll(keys.job(ref.id()));
    } catch (JedisException e) {
      throw errors.translate("find", e);
    }
    if (fields.isEmpty() || !ref.tenant().equals(fields.get("tenant"))) {
      return Optional.empty();
    }
    return Optional.of(JobHashes.fromMap(fields));
  }

  @Override
  public JobPage list(JobQuery query) {
    // One script call examines at most LIST_SCAN_BUDGET jobs of the tenant's id walk, so a
    // filter that matches few of many jobs kept costs several short calls, between which Redis
    // serves the workers, instead of one that blocks it (1,000,000 jobs kept: seconds).
    List<Job> jobs = new ArrayList<>(query.limit());
    String after = query.after() == null ? "" : query.after().toString();
    while (true) {
      List<String> args = new ArrayList<>();
      args.add(query.tenant());
      args.add(after);
      args.add(Integer.toString(query.limit() - jobs.size()));
      args.add(query.type() == null ? "" : query.type());
      args.add(query.queue() == null ? "" : query.queue());
      args.add(Integer.toString(LIST_SCAN_BUDGET));
      for (JobState state : query.states()) {
        args.add(state.name());
      }
      List<?> reply = (List<?>) scripts.run("list", args);
      for (Object flat : reply.subList(1, reply.size())) {
        jobs.add(JobHashes.fromFlat(flat));
      }
      String resume = (String) reply.get(0);
      if (resume.isEmpty() || jobs.size() >= query.limit()) {
        return JobPage.of(jobs, query.limit());
      }
      after = resume;
    }
  }

  @Override
  public BackendStats stats(StatsRequest request) {
    String tenant = request.tenant();
    List<?> reply =
        (List<?>)
            scripts.run(
                "stats",
                List.of(
                    tenant == null ? "" : tenant,
                    Long.toString(Micros.of(request.failedWindow()))));
    Instant now = Micros.toInstant((String) reply.get(0));
    Map<JobState, Long> byState = new EnumMap<>(JobState.class);
    Map<String, Map<JobState, Long>> byType = counters(reply.get(1), tenant);
    byType.values().forEach(states -> states.forEach((s, n) -> byState.merge(s, n, Long::sum)));
    Map<String, Map<JobState, Long>> byQueue = counters(reply.get(5), tenant);
    Map<String, Map<JobState, Long>> finished = new HashMap<>();
    List<?> window = (List<?>) reply.get(6);
    for (int i = 0; i + 2 < window.size(); i += 3) {
      // type, STATE, jobs
      add(
          finished,
          (String) window.get(i),
          JobState.valueOf((String) window.get(i + 1)),
          (Long) window.get(i + 2));
    }
    String oldest = (String) reply.get(4);
    Optional<Duration> oldestDueAge =
        oldest.isEmpty()
            ? Optional.empty()
            : Optional.of(maxZero(Duration.between(Micros.toInstant(oldest), now)));
    return new BackendStats(
        now,
        byState,
        byType,
        (Long) reply.get(2),
        (Long) reply.get(3),
        oldestDueAge,
        byQueue,
        finished);
  }

  /**
   * A counter hash ({@code counts} or {@code qcounts}: {@code tenant|name|STATE} → jobs) as name →
   * state → jobs, for one tenant or summed over all.
   */
  private static Map<String, Map<JobState, Long>> counters(Object hgetall, String tenant) {
    Map<String, Map<JobState, Long>> byName = new HashMap<>();
    List<?> counts = (List<?>) hgetall;
    for (int i = 0; i + 1 < counts.size(); i += 2) {
      String[] parts = ((String) counts.get(i)).split("\\|", 3);
      long n = Long.parseLong((String) counts.get(i + 1));
      if (n <= 0 || (tenant != null && !tenant.equals(parts[0]))) {
        continue;
      }
      add(byName, parts[1], JobState.valueOf(parts[2]), n);
    }
    return byName;
  }

  private static void add(
      Map<String, Map<JobState, Long>> counts, String name, JobState state, long n) {
    counts.computeIfAbsent(name, k -> new EnumMap<>(JobState.class)).merge(state, n, Long::sum);
  }

  @Override
  public RescueResult rescue(RescueRequest request) {
    List<?> reply = (List<?>) scripts.run("rescue", List.of(Integer.toString(request.limit())));
    return new RescueResult(uuids(reply.get(0)), uuids(reply.get(1)));
  }

  @Override
  public PruneResult prune(PruneRequest request) {
    retentionBeyondTtl(request, finishedJobTtl)
        .filter(warning -> retentionWarned.compareAndSet(false, true))
        .ifPresent(LOG::warn);
    Object deleted =
        scripts.run(
            "prune",
            List.of(
                Long.toString(Micros.of(request.succeededRetention())),
                Long.toString(Micros.of(request.failedRetention())),
                Long.toString(Micros.of(request.cancelledRetention())),
                Integer.toString(request.limit())));
    Duration longest = request.succeededRetention();
    for (Duration d : List.of(request.failedRetention(), request.cancelledRetention())) {
      longest = d.compareTo(longest) > 0 ? d : longest;
    }
    scripts.run(
        "batch_prune",
        List.of(Long.toString(Micros.of(longest)), Integer.toString(request.limit())));
    return new PruneResult((Long) deleted);
  }

  /**
   * A warning when a retention outlives the hash TTL: Redis would expire those finished jobs before
   * prune is due to delete them, so they would vanish early. Logged once per backend; prune goes
   * on, since stopping maintenance would be worse than losing history early.
   */
  static Optional<String> retentionBeyondTtl(PruneRequest request, Duration ttl) {
    Map<String, Duration> retentions = new LinkedHashMap<>();
    retentions.put("succeeded", request.succeededRetention());
    retentions.put("failed", request.failedRetention());
    retentions.put("cancelled", request.cancelledRetention());
    List<String> longer = new ArrayList<>();
    retentions.forEach(
        (state, retention) -> {
          if (retention.compareTo(ttl) > 0) {
            longer.add(state + " " + retention);
          }
        });
    if (longer.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "Retention ("
            + String.join(", ", longer)
            + ") is longer than RedisBackend.finishedJobTtl ("
            + ttl
            + "): Redis expires a finished job's hash after finishedJobTtl, so those jobs disappear"
            + " before their retention ends. Set finishedJobTtl to at least the longest retention.");
  }

  @Override
  public boolean lockMaintenance(MaintenanceLockRequest request) {
    long ttlMillis = Math.max(1, request.ttl().toMillis());
    Object held =
        scripts.run(
            "lock_maintenance", List.of(request.owner(), Long.toString(ttlMillis), request.name()));
    return Long.valueOf(1).equals(held);
  }

  @Override
  public void unlockMaintenance(String owner) {
    unlockMaintenance(MaintenanceLockRequest.MAINTENANCE, owner);
  }

  @Override
  public LockResult acquireLock(LockRequest request) {
    return fencedLock("acquire", Objects.requireNonNull(request, "request"));
  }

  @Override
  public LockResult renewLock(LockRequest request) {
    return fencedLock("renew", Objects.requireNonNull(request, "request"));
  }

  @Override
  public boolean releaseLock(LockRequest request) {
    return fencedLock("release", Objects.requireNonNull(request, "request")).held();
  }

  /** fenced_lock.lua; for a release, {@code held} says whether it freed the lock. */
  private LockResult fencedLock(String op, LockRequest r) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "fenced_lock",
                List.of(
                    op,
                    r.name(),
                    r.holder(),
                    Long.toString(r.token()),
                    Long.toString(Micros.of(r.lease()))));
    boolean held = Long.valueOf(1).equals(reply.get(0));
    String expires = (String) reply.get(2);
    Instant expiresAt = expires.isEmpty() ? null : Micros.toInstant(expires);
    return held
        ? new LockResult(true, Long.parseLong((String) reply.get(1)), expiresAt)
        : LockResult.notHeld(expiresAt);
  }

  /** Each name is a lock of its own (KEYS.md: {@code maintenance}, {@code lock:<name>}). */
  @Override
  public void unlockMaintenance(String name, String owner) {
    scripts.run("unlock_maintenance", List.of(owner, Objects.requireNonNull(name, "name")));
  }

  @Override
  public Subscription subscribe(WakeupListener listener) {
    Objects.requireNonNull(listener, "listener");
    return wakeups.subscribe(listener);
  }

  @Override
  public ScheduleUpsertResult upsertSchedules(ScheduleUpsertRequest request) {
    return schedules.upsert(Objects.requireNonNull(request, "request"));
  }

  @Override
  public ScheduleChangeResult removeSchedule(ScheduleRef schedule) {
    return schedules.remove(Objects.requireNonNull(schedule, "schedule"));
  }

  @Override
  public ScheduleChangeResult pauseSchedule(SchedulePauseRequest request) {
    return schedules.pause(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<StoredSchedule> findSchedule(ScheduleRef schedule) {
    return schedules.find(Objects.requireNonNull(schedule, "schedule"));
  }

  @Override
  public SchedulePage listSchedules(ScheduleListRequest request) {
    return schedules.list(Objects.requireNonNull(request, "request"));
  }

  @Override
  public DueSchedules dueSchedules(DueSchedulesRequest request) {
    return schedules.due(Objects.requireNonNull(request, "request"));
  }

  @Override
  public ScheduleFireResult fireSchedules(ScheduleFireRequest request) {
    return schedules.fire(Objects.requireNonNull(request, "request"));
  }

  @Override
  public StepWriteResult saveSteps(StepWriteRequest request) {
    return steps.save(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<JobSteps> loadSteps(JobRef job) {
    return steps.load(Objects.requireNonNull(job, "job"));
  }

  @Override
  public SignalResult signal(SignalRequest request) {
    return steps.signal(Objects.requireNonNull(request, "request"));
  }

  @Override
  public FencedResult suspend(SuspendRequest request) {
    return steps.suspend(Objects.requireNonNull(request, "request"));
  }

  @Override
  public AlertOpenResult openAlert(AlertOpenRequest request) {
    return ops.open(Objects.requireNonNull(request, "request"));
  }

  @Override
  public AlertUpdateResult updateAlert(AlertUpdateRequest request) {
    return ops.update(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<StoredAlert> findAlert(UUID id) {
    return ops.find(Objects.requireNonNull(id, "id"));
  }

  @Override
  public AlertPage listAlerts(AlertListRequest request) {
    return ops.list(Objects.requireNonNull(request, "request"));
  }

  @Override
  public long pruneAlerts(AlertPruneRequest request) {
    return ops.prune(Objects.requireNonNull(request, "request"));
  }

  @Override
  public StoredSample writeSample(SampleWriteRequest request) {
    return ops.writeSample(Objects.requireNonNull(request, "request"));
  }

  @Override
  public List<StoredSample> samples(SampleListRequest request) {
    return ops.samples(Objects.requireNonNull(request, "request"));
  }

  @Override
  public PingResult ping() {
    Object micros = scripts.run("time", List.of());
    return new PingResult(Micros.toInstant((String) micros), description);
  }

  /** Promotes up to 1,000 due scheduled jobs now; the wake-up thread does this on its own. */
  public int promoteDueJobs() {
    List<?> reply = (List<?>) scripts.run("promote", List.of(Integer.toString(PROMOTE_LIMIT)));
    return ((Long) reply.get(0)).intValue();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      wakeups.close();
    } finally {
      if (ownsClient) {
        client.close();
      }
    }
  }

  @Override
  public String toString() {
    return "RedisBackend[" + description + "]";
  }

  private Set<String> knownQueues() {
    try {
      return client.smembers(keys.prefix() + "queues");
    } catch (JedisException e) {
      throw errors.translate("listing queues", e);
    }
  }

  private static String kind(UnifiedJedis client) {
    if (client instanceof RedisClusterClient) {
      return "Redis Cluster";
    }
    if (client instanceof RedisClient) {
      return "Redis";
    }
    return "Redis (" + client.getClass().getSimpleName() + ")";
  }

  /** After one broken connection the pool's idle ones are likely broken too (restart, kill). */
  private void dropIdleConnections() {
    if (client instanceof RedisClient standalone) {
      standalone.getPool().clear();
    } else if (client instanceof RedisClusterClient cluster) {
      cluster.getClusterNodes().values().forEach(ConnectionPool::clear);
    }
  }

  private static void addList(List<String> args, Set<String> values) {
    args.add(Integer.toString(values.size()));
    args.addAll(values);
  }

  private static FencedResult fenced(List<UUID> ids, Object reply) {
    List<?> flags = (List<?>) reply;
    Set<UUID> applied = new HashSet<>();
    Set<UUID> lost = new HashSet<>();
    Set<UUID> toResolve = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      Object flag = flags.get(i);
      if (Long.valueOf(1).equals(flag)) {
        applied.add(ids.get(i));
      } else if (Long.valueOf(2).equals(flag)) {
        applied.add(ids.get(i));
        toResolve.add(ids.get(i));
      } else {
        lost.add(ids.get(i));
      }
    }
    // A job named twice in one batch counts as applied if either entry applied.
    lost.removeAll(applied);
    return new FencedResult(applied, lost, toResolve);
  }

  @Override
  public Optional<StoredBatch> findBatch(BatchRef ref) {
    List<?> reply = (List<?>) scripts.run("batch_find", List.of(ref.tenant(), ref.id().toString()));
    if (reply.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> b = new HashMap<>();
    int i = 0;
    for (; i + 1 < reply.size() && !"|".equals(reply.get(i)); i += 2) {
      b.put((String) reply.get(i), (String) reply.get(i + 1));
    }
    Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
    for (i = i + 1; i + 1 < reply.size(); i += 2) {
      counts.put(
          JobState.valueOf((String) reply.get(i)), Long.parseLong((String) reply.get(i + 1)));
    }
    return Optional.of(
        new StoredBatch(
            UUID.fromString(b.get("id")),
            b.get("tenant"),
            Integer.parseInt(b.getOrDefault("maxRunning", "0")),
            b.containsKey("onSuccess") ? UUID.fromString(b.get("onSuccess")) : null,
            b.containsKey("onComplete") ? UUID.fromString(b.get("onComplete")) : null,
            Micros.toInstant(b.get("createdAt")),
            Micros.toInstant(b.get("completedAt")),
            counts,
            Micros.toInstant(b.get("cancelledAt"))));
  }

  @Override
  public BatchCancelResult cancelBatch(BatchRef ref) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "batch_cancel",
                List.of(ref.tenant(), ref.id().toString(), "batch " + ref.id() + " cancelled"));
    if (reply.isEmpty()) {
      return new BatchCancelResult(false, Set.of());
    }
    Set<UUID> cancelled = new HashSet<>();
    for (int i = 1; i < reply.size(); i++) {
      cancelled.add(UUID.fromString((String) reply.get(i)));
    }
    return new BatchCancelResult(true, cancelled);
  }

  @Override
  public ResolveResult resolveBlocked(ResolveRequest request) {
    List<String> args = new ArrayList<>();
    args.add(request.sweep() ? Integer.toString(request.limit()) : "");
    args.add(Integer.toString(request.ended().size()));
    request.ended().forEach(id -> args.add(id.toString()));
    args.add(Integer.toString(request.batches().size()));
    request.batches().forEach(id -> args.add(id.toString()));
    List<?> reply = (List<?>) scripts.run("resolve", args);
    List<Set<UUID>> parts = new ArrayList<>();
    Set<UUID> current = new HashSet<>();
    for (Object o : reply) {
      if ("|".equals(o)) {
        parts.add(current);
        current = new HashSet<>();
      } else {
        current.add(UUID.fromString((String) o));
      }
    }
    return new ResolveResult(parts.get(0), parts.get(1), parts.get(2), parts.get(3));
  }

  private static ChangeResult change(Object reply) {
    List<?> list = (List<?>) reply;
    if (list.isEmpty()) {
      return ChangeResult.notFound();
    }
    return new ChangeResult(
        Optional.of(JobHashes.fromFlat(list.get(1))), Long.valueOf(1).equals(list.get(0)));
  }

  private static List<UUID> uuids(Object reply) {
    List<UUID> ids = new ArrayList<>();
    for (Object id : (List<?>) reply) {
      ids.add(UUID.fromString((String) id));
    }
    return ids;
  }

  private static Duration maxZero(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * Configures a {@link RedisBackend}. Each option may be set once; {@link #build()} opens the
   * connection pool (it does not ping; {@link RedisBackend#ping()} does).
   */
  public static final class Builder {
    private RedisUrl url;
    private UnifiedJedis client;
    private String namespace = "keel";
    private boolean namespaceSet;
    private Duration finishedJobTtl = Duration.ofDays(30);
    private boolean finishedJobTtlSet;
    private int maxConnections = 16;
    private boolean maxConnectionsSet;
    private SslOptions tls;

    private Builder() {}

    /**
     * The server: {@code redis[s]://[[user]:password@]host[:port][,host:port...][/db]
     * [?cluster=true|false&timeout=ms]}. A cluster is detected by asking the host unless {@code
     * cluster} says so or several hosts are given.
     *
     * @throws KeelConfigurationException if malformed (the message masks the password)
     */
    public Builder url(String url) {
      return url(url, "RedisBackend.url");
    }

    /**
     * Like {@link #url(String)}, naming {@code source} (e.g. an environment variable) in errors.
     */
    public Builder url(String url, String source) {
      if (this.url != null || client != null) {
        throw new KeelConfigurationException("RedisBackend.url/client was already set");
      }
      this.url = RedisUrl.parse(url, source);
      return this;
    }

    /**
     * A client the application owns (a {@link RedisClient}, a {@link RedisClusterClient} or any
     * other {@link UnifiedJedis}); {@link RedisBackend#close()} leaves it open. After a broken
     * connection the backend drops the idle connections of a {@code RedisClient} or {@code
     * RedisClusterClient} pool; other clients keep theirs. On a cluster, only a {@code
     * RedisClusterClient} lets the wake-up subscription sit on the node that runs the scripts;
     * through another client it may land on any node, where signals arrive some milliseconds late.
     */
    public Builder client(UnifiedJedis client) {
      if (url != null || this.client != null) {
        throw new KeelConfigurationException("RedisBackend.url/client was already set");
      }
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Key prefix of everything this backend stores, default {@code keel}. */
    public Builder namespace(String namespace) {
      if (namespaceSet) {
        throw new KeelConfigurationException(
            "RedisBackend.namespace was already set to " + this.namespace);
      }
      this.namespace = new NamespaceKeys(namespace).namespace();
      namespaceSet = true;
      return this;
    }

    /**
     * How long a finished job's hash lives at most, as a backstop should maintenance (prune) not
     * run; default 30 days. Choose it at least as long as every retention given to prune (prune
     * logs a warning once otherwise).
     */
    public Builder finishedJobTtl(Duration ttl) {
      if (finishedJobTtlSet) {
        throw new KeelConfigurationException(
            "RedisBackend.finishedJobTtl was already set to " + finishedJobTtl);
      }
      Objects.requireNonNull(ttl, "finishedJobTtl");
      if (ttl.toMillis() < 1) {
        throw new KeelConfigurationException(
            "RedisBackend.finishedJobTtl must be at least 1 ms, was " + ttl);
      }
      this.finishedJobTtl = ttl;
      finishedJobTtlSet = true;
      return this;
    }

    /** Connections in the pool (per cluster node), default 16; one is held for wake-ups. */
    public Builder maxConnections(int maxConnections) {
      if (maxConnectionsSet) {
        throw new KeelConfigurationException(
            "RedisBackend.maxConnections was already set to " + this.maxConnections);
      }
      if (maxConnections < 2) {
        throw new KeelConfigurationException(
            "RedisBackend.maxConnections must be at least 2, was " + maxConnections);
      }
      this.maxConnections = maxConnections;
      maxConnectionsSet = true;
      return this;
    }

    /**
     * TLS settings for a {@code rediss://} URL: a trust store (for a private CA), a key store
     * (client certificates), the verification mode. They replace the defaults, the URL's {@code
     * verify} included: without them, the JVM's trust store is used and the server's certificate
     * must name the host connected to ({@code verify=full}), or need not ({@code verify=ca}).
     */
    public Builder tls(SslOptions tls) {
      if (this.tls != null) {
        throw new KeelConfigurationException("RedisBackend.tls was already set");
      }
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * @throws KeelConfigurationException if neither url nor client was set, or tls was set without
     *     a rediss:// URL
     * @throws dev.keel.queue.BackendUnavailableException if cluster detection cannot reach Redis
     */
    public RedisBackend build() {
      if (url == null && client == null) {
        throw new KeelConfigurationException("RedisBackend needs a url or a client");
      }
      if (tls != null && client != null) {
        throw new KeelConfigurationException(
            "RedisBackend.tls applies to a url; an application-supplied client brings its own TLS"
                + " settings");
      }
      if (tls != null && !url.tls()) {
        throw new KeelConfigurationException(
            "RedisBackend.tls is set but "
                + url.masked()
                + " is not a rediss:// URL; write rediss:// to connect with TLS");
      }
      return new RedisBackend(this);
    }
  }
}
