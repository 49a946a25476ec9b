package dev.keel.queue.inline;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.Limits;
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
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import dev.keel.queue.spi.MaintenanceLockRequest;
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
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The in-memory backend: the same contract as the durable backends, for tests and local
 * development. <strong>It keeps data only in memory</strong>: every job is lost when the process
 * ends or the backend is closed, and nothing is shared between processes.
 *
 * <p>Its clock is the injected {@link InstantSource}, which plays the part of a database's {@code
 * now()}: due times, leases, createdAt and every other timestamp come from it. Give it a manual
 * clock in tests to make scheduled jobs due and leases expire without sleeping.
 *
 * <p>Thread-safe without a global lock on the hot path: each job has its own lock, PENDING jobs sit
 * in per-queue sorted sets in claim order, and idempotency keys are locked per key. Wake-up
 * listeners are called on the calling thread after an enqueue, retry, snooze, release, re-drive or
 * rescue made jobs claimable. Jobs scheduled for later send no signal when they become due; workers
 * find them by polling.
 *
 * <p>After {@link #close()}, every call except {@link #capabilities()} and {@code close} throws
 * {@link BackendUnavailableException}.
 */
public final class InlineBackend implements QueueBackend {
  private static final BackendCapabilities CAPABILITIES =
      new BackendCapabilities("inline", false, false, true, Limits.MAX_BATCH_SIZE)
          .withSchedules(true)
          .withOpsData(true)
          .withCoordination(true)
          .withSteps(true);

  private final InstantSource clock;
  private final WakeupHub wakeups = new WakeupHub();
  private final ConcurrentMap<String, MaintenanceLock> locks = new ConcurrentHashMap<>();
  private final Enqueuer enqueuer;
  private final Claimer claimer;
  private final LeaseFence fence;
  private final JobAdmin admin;
  private final JobReader reader;
  private final ScheduleStore schedules;
  private final OpsStore ops;
  private final FencedLockTable fencedLocks;
  private final LinkTable links;
  private final StepStore steps;
  private final AtomicBoolean closed = new AtomicBoolean();

  private InlineBackend(InstantSource clock) {
    this.clock = clock;
    JobStore store = new JobStore();
    IdempotencyIndex idempotency = new IdempotencyIndex();
    this.enqueuer = new Enqueuer(clock, store, idempotency, wakeups);
    this.links = new LinkTable(clock, store, wakeups);
    enqueuer.links(links);
    this.claimer = new Claimer(clock, store);
    this.fence = new LeaseFence(clock, store, wakeups, links);
    this.admin = new JobAdmin(clock, store, idempotency, wakeups);
    this.reader = new JobReader(clock, store);
    this.schedules = new ScheduleStore(clock, store, enqueuer);
    this.ops = new OpsStore(clock);
    this.fencedLocks = new FencedLockTable(clock);
    this.steps = new StepStore(clock, store, wakeups);
  }

  /** An empty in-memory backend whose "server clock" is {@code clock}. */
  public static InlineBackend create(InstantSource clock) {
    return new InlineBackend(Objects.requireNonNull(clock, "clock"));
  }

  /** An empty in-memory backend on the system clock. */
  public static InlineBackend create() {
    return create(InstantSource.system());
  }

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest request) {
    checkOpen();
    return enqueuer.enqueue(request);
  }

  @Override
  public ClaimResponse claim(ClaimRequest request) {
    checkOpen();
    return claimer.claim(request);
  }

  @Override
  public FencedResult heartbeat(HeartbeatRequest request) {
    checkOpen();
    return fence.heartbeat(request);
  }

  @Override
  public FencedResult finish(FinishRequest request) {
    checkOpen();
    return fence.finish(request);
  }

  @Override
  public FencedResult progress(ProgressRequest request) {
    checkOpen();
    return fence.progress(request);
  }

  @Override
  public ChangeResult cancel(CancelRequest request) {
    checkOpen();
    return admin.cancel(request);
  }

  @Override
  public Optional<StoredBatch> findBatch(BatchRef batch) {
    checkOpen();
    return links.find(batch);
  }

  @Override
  public BatchCancelResult cancelBatch(BatchRef batch) {
    checkOpen();
    return links.cancel(batch);
  }

  @Override
  public ResolveResult resolveBlocked(ResolveRequest request) {
    checkOpen();
    return links.resolve(request);
  }

  @Override
  public StepWriteResult saveSteps(StepWriteRequest request) {
    checkOpen();
    return steps.save(request);
  }

  @Override
  public Optional<JobSteps> loadSteps(JobRef job) {
    checkOpen();
    return steps.load(job);
  }

  @Override
  public SignalResult signal(SignalRequest request) {
    checkOpen();
    return steps.signal(request);
  }

  @Override
  public FencedResult suspend(SuspendRequest request) {
    checkOpen();
    return steps.suspend(request);
  }

  @Override
  public ChangeResult redrive(RedriveRequest request) {
    checkOpen();
    return admin.redrive(request);
  }

  @Override
  public Optional<Job> find(JobRef job) {
    checkOpen();
    return reader.find(job);
  }

  @Override
  public JobPage list(JobQuery query) {
    checkOpen();
    return reader.list(query);
  }

  @Override
  public BackendStats stats(StatsRequest request) {
    checkOpen();
    return reader.stats(request);
  }

  @Override
  public RescueResult rescue(RescueRequest request) {
    checkOpen();
    return admin.rescue(request);
  }

  @Override
  public PruneResult prune(PruneRequest request) {
    checkOpen();
    PruneResult r = admin.prune(request);
    links.prune(request);
    return r;
  }

  @Override
  public boolean lockMaintenance(MaintenanceLockRequest request) {
    checkOpen();
    return lock(request.name()).lock(request.owner(), request.ttl(), clock.instant());
  }

  @Override
  public void unlockMaintenance(String owner) {
    unlockMaintenance(MaintenanceLockRequest.MAINTENANCE, owner);
  }

  /** Each name is a lock of its own (the maintenance lock, the console's "ops" lock). */
  @Override
  public void unlockMaintenance(String name, String owner) {
    checkOpen();
    MaintenanceLock lock = locks.get(Objects.requireNonNull(name, "name"));
    if (lock != null) {
      lock.unlock(owner);
    }
  }

  private MaintenanceLock lock(String name) {
    return locks.computeIfAbsent(name, n -> new MaintenanceLock());
  }

  @Override
  public LockResult acquireLock(LockRequest request) {
    checkOpen();
    return fencedLocks.acquire(Objects.requireNonNull(request, "request"));
  }

  @Override
  public LockResult renewLock(LockRequest request) {
    checkOpen();
    return fencedLocks.renew(Objects.requireNonNull(request, "request"));
  }

  @Override
  public boolean releaseLock(LockRequest request) {
    checkOpen();
    return fencedLocks.release(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Subscription subscribe(WakeupListener listener) {
    checkOpen();
    return wakeups.subscribe(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public PingResult ping() {
    checkOpen();
    return new PingResult(clock.instant(), "inline (in-memory, not durable)");
  }

  @Override
  public ScheduleUpsertResult upsertSchedules(ScheduleUpsertRequest request) {
    checkOpen();
    return schedules.upsert(Objects.requireNonNull(request, "request"));
  }

  @Override
  public ScheduleChangeResult removeSchedule(ScheduleRef schedule) {
    checkOpen();
    return schedules.remove(Objects.requireNonNull(schedule, "schedule"));
  }

  @Override
  public ScheduleChangeResult pauseSchedule(SchedulePauseRequest request) {
    checkOpen();
    return schedules.pause(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<StoredSchedule> findSchedule(ScheduleRef schedule) {
    checkOpen();
    return schedules.find(Objects.requireNonNull(schedule, "schedule"));
  }

  @Override
  public SchedulePage listSchedules(ScheduleListRequest request) {
    checkOpen();
    return schedules.list(Objects.requireNonNull(request, "request"));
  }

  @Override
  public DueSchedules dueSchedules(DueSchedulesRequest request) {
    checkOpen();
    return schedules.due(Objects.requireNonNull(request, "request"));
  }

  @Override
  public ScheduleFireResult fireSchedules(ScheduleFireRequest request) {
    checkOpen();
    return schedules.fire(Objects.requireNonNull(request, "request"));
  }

  @Override
  public AlertOpenResult openAlert(AlertOpenRequest request) {
    checkOpen();
    return ops.open(Objects.requireNonNull(request, "request"));
  }

  @Override
  public AlertUpdateResult updateAlert(AlertUpdateRequest request) {
    checkOpen();
    return ops.update(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<StoredAlert> findAlert(UUID id) {
    checkOpen();
    return ops.find(Objects.requireNonNull(id, "id"));
  }

  @Override
  public AlertPage listAlerts(AlertListRequest request) {
    checkOpen();
    return ops.list(Objects.requireNonNull(request, "request"));
  }

  @Override
  public long pruneAlerts(AlertPruneRequest request) {
    checkOpen();
    return ops.prune(Objects.requireNonNull(request, "request"));
  }

  @Override
  public StoredSample writeSample(SampleWriteRequest request) {
    checkOpen();
    return ops.writeSample(Objects.requireNonNull(request, "request"));
  }

  @Override
  public List<StoredSample> samples(SampleListRequest request) {
    checkOpen();
    return ops.samples(Objects.requireNonNull(request, "request"));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      wakeups.closeAll();
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new BackendUnavailableException(
          "inline backend is closed; its in-memory jobs are gone. Open a new backend.");
    }
  }
}
