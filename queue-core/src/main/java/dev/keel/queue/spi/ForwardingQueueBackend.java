package dev.keel.queue.spi;

import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A backend that passes every call to {@link #delegate()}: extend it to decorate a backend
 * (metrics, fault injection in tests, reconnection) by overriding only the calls that matter.
 */
public abstract class ForwardingQueueBackend implements QueueBackend {

  /** The backend calls go to; may change between calls (for example after a reconnect). */
  protected abstract QueueBackend delegate();

  @Override
  public BackendCapabilities capabilities() {
    return delegate().capabilities();
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest request) {
    return delegate().enqueue(request);
  }

  @Override
  public ClaimResponse claim(ClaimRequest request) {
    return delegate().claim(request);
  }

  @Override
  public FencedResult heartbeat(HeartbeatRequest request) {
    return delegate().heartbeat(request);
  }

  @Override
  public FencedResult finish(FinishRequest request) {
    return delegate().finish(request);
  }

  @Override
  public FencedResult progress(ProgressRequest request) {
    return delegate().progress(request);
  }

  @Override
  public ChangeResult cancel(CancelRequest request) {
    return delegate().cancel(request);
  }

  @Override
  public ChangeResult redrive(RedriveRequest request) {
    return delegate().redrive(request);
  }

  @Override
  public Optional<Job> find(JobRef job) {
    return delegate().find(job);
  }

  @Override
  public JobPage list(JobQuery query) {
    return delegate().list(query);
  }

  @Override
  public BackendStats stats(StatsRequest request) {
    return delegate().stats(request);
  }

  @Override
  public RescueResult rescue(RescueRequest request) {
    return delegate().rescue(request);
  }

  @Override
  public PruneResult prune(PruneRequest request) {
    return delegate().prune(request);
  }

  @Override
  public boolean lockMaintenance(MaintenanceLockRequest request) {
    return delegate().lockMaintenance(request);
  }

  @Override
  public void unlockMaintenance(String owner) {
    delegate().unlockMaintenance(owner);
  }

  @Override
  public void unlockMaintenance(String name, String owner) {
    delegate().unlockMaintenance(name, owner);
  }

  @Override
  public Subscription subscribe(WakeupListener listener) {
    return delegate().subscribe(listener);
  }

  @Override
  public PingResult ping() {
    return delegate().ping();
  }

  @Override
  public void close() {
    delegate().close();
  }

  @Override
  public ScheduleUpsertResult upsertSchedules(ScheduleUpsertRequest request) {
    return delegate().upsertSchedules(request);
  }

  @Override
  public ScheduleChangeResult removeSchedule(ScheduleRef schedule) {
    return delegate().removeSchedule(schedule);
  }

  @Override
  public ScheduleChangeResult pauseSchedule(SchedulePauseRequest request) {
    return delegate().pauseSchedule(request);
  }

  @Override
  public Optional<StoredSchedule> findSchedule(ScheduleRef schedule) {
    return delegate().findSchedule(schedule);
  }

  @Override
  public SchedulePage listSchedules(ScheduleListRequest request) {
    return delegate().listSchedules(request);
  }

  @Override
  public DueSchedules dueSchedules(DueSchedulesRequest request) {
    return delegate().dueSchedules(request);
  }

  @Override
  public ScheduleFireResult fireSchedules(ScheduleFireRequest request) {
    return delegate().fireSchedules(request);
  }

  @Override
  public AlertOpenResult openAlert(AlertOpenRequest request) {
    return delegate().openAlert(request);
  }

  @Override
  public AlertUpdateResult updateAlert(AlertUpdateRequest request) {
    return delegate().updateAlert(request);
  }

  @Override
  public Optional<StoredAlert> findAlert(UUID id) {
    return delegate().findAlert(id);
  }

  @Override
  public AlertPage listAlerts(AlertListRequest request) {
    return delegate().listAlerts(request);
  }

  @Override
  public long pruneAlerts(AlertPruneRequest request) {
    return delegate().pruneAlerts(request);
  }

  @Override
  public StoredSample writeSample(SampleWriteRequest request) {
    return delegate().writeSample(request);
  }

  @Override
  public List<StoredSample> samples(SampleListRequest request) {
    return delegate().samples(request);
  }

  @Override
  public Optional<StoredBatch> findBatch(BatchRef batch) {
    return delegate().findBatch(batch);
  }

  @Override
  public BatchCancelResult cancelBatch(BatchRef batch) {
    return delegate().cancelBatch(batch);
  }

  @Override
  public ResolveResult resolveBlocked(ResolveRequest request) {
    return delegate().resolveBlocked(request);
  }

  @Override
  public StepWriteResult saveSteps(StepWriteRequest request) {
    return delegate().saveSteps(request);
  }

  @Override
  public Optional<JobSteps> loadSteps(JobRef job) {
    return delegate().loadSteps(job);
  }

  @Override
  public SignalResult signal(SignalRequest request) {
    return delegate().signal(request);
  }

  @Override
  public FencedResult suspend(SuspendRequest request) {
    return delegate().suspend(request);
  }

  @Override
  public LockResult acquireLock(LockRequest request) {
    return delegate().acquireLock(request);
  }

  @Override
  public LockResult renewLock(LockRequest request) {
    return delegate().renewLock(request);
  }

  @Override
  public boolean releaseLock(LockRequest request) {
    return delegate().releaseLock(request);
  }
}
