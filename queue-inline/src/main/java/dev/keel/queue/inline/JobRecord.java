package dev.keel.queue.inline;

import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobLinks;
import dev.keel.queue.JobProgress;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One job as the inline backend keeps it. What never changes after enqueue is final; the rest is
 * guarded by this object's monitor, which is the per-job lock every transition takes (see {@link
 * JobStore}). Readers get immutable {@link Job} snapshots.
 */
final class JobRecord {
  final UUID id;
  final String type;
  final String queue;
  final String tenant;
  final String payload;
  final int priority;
  final int maxAttempts;
  final Duration timeout;
  final String idempotencyKey;
  final IdempotencyPolicy idempotencyPolicy;
  final String traceparent;
  final Map<String, String> metadata;
  final String concurrencyKey;
  final int concurrencyLimit;
  final JobLinks links;
  final Instant createdAt;

  /**
   * Waiting to be released (dependencies, batch callback): PENDING but not in the pending index.
   */
  private boolean blocked;

  private JobState state = JobState.PENDING;
  private int attempt;
  private Instant runAt;
  private Instant startedAt;
  private Instant finishedAt;
  private String leaseOwner;
  private String leaseToken;
  private Instant leaseExpiresAt;
  private Instant heartbeatAt;
  private JobProgress progress;
  private JobError lastError;

  /** Durable steps and signals (see {@link StepStore}); null until the job first has one. */
  private Map<String, dev.keel.queue.spi.StoredStep> steps;

  private Map<String, dev.keel.queue.spi.StoredSignal> signals;

  /** Suspended for this signal ("" for none) since the last suspend; null if not suspended. */
  private String awaiting;

  private JobRecord(NewJob job, Instant now) {
    this.id = job.id();
    this.type = job.type();
    this.queue = job.queue();
    this.tenant = job.tenant();
    this.payload = job.payload();
    this.priority = job.priority();
    this.maxAttempts = job.maxAttempts();
    this.timeout = job.timeout();
    this.idempotencyKey = job.idempotencyKey();
    this.idempotencyPolicy = job.idempotencyPolicy();
    this.traceparent = job.traceparent();
    this.metadata = job.metadata();
    this.concurrencyKey = job.concurrencyKey();
    this.concurrencyLimit = job.concurrencyLimit();
    this.links = job.links();
    this.createdAt = now;
    this.blocked = links.startsBlocked();
    this.runAt = blocked ? now : job.effectiveRunAt(now);
  }

  /** A new PENDING job, attempt 0, created at {@code now}. */
  static JobRecord create(NewJob job, Instant now) {
    return new JobRecord(job, now);
  }

  synchronized Job snapshot() {
    return new Job(
        id,
        type,
        queue,
        tenant,
        payload,
        priority,
        state,
        attempt,
        maxAttempts,
        runAt,
        createdAt,
        startedAt,
        finishedAt,
        leaseOwner,
        leaseToken,
        leaseExpiresAt,
        heartbeatAt,
        progress,
        lastError,
        idempotencyKey,
        traceparent,
        metadata,
        timeout,
        concurrencyKey,
        concurrencyLimit,
        links.withBlocked(blocked));
  }

  synchronized boolean blocked() {
    return blocked;
  }

  /** PENDING and blocked → claimable at {@code now}; caller holds the monitor and checked. */
  void release(Instant now) {
    blocked = false;
    runAt = now;
  }

  synchronized JobState state() {
    return state;
  }

  synchronized int attempt() {
    return attempt;
  }

  synchronized Instant runAt() {
    return runAt;
  }

  synchronized Instant finishedAt() {
    return finishedAt;
  }

  synchronized Instant leaseExpiresAt() {
    return leaseExpiresAt;
  }

  synchronized PendingKey pendingKey() {
    return new PendingKey(priority, runAt, id);
  }

  /** True while the job is RUNNING under the lease with {@code token}: the fence. */
  synchronized boolean isLeasedWith(String token) {
    return state == JobState.RUNNING && leaseToken != null && leaseToken.equals(token);
  }

  /** True if the job is RUNNING and its lease ran out at or before {@code now}. */
  synchronized boolean leaseExpiredAt(Instant now) {
    return state == JobState.RUNNING && !leaseExpiresAt.isAfter(now);
  }

  /**
   * True if this job still holds its idempotency key at {@code now}: while active, and under a
   * window policy also until the window after finishedAt has passed.
   */
  synchronized boolean holdsKeyAt(Instant now) {
    if (state.isActive()) {
      return true;
    }
    return idempotencyPolicy instanceof IdempotencyPolicy.Window
        && finishedAt != null
        && finishedAt.plus(((IdempotencyPolicy.Window) idempotencyPolicy).duration()).isAfter(now);
  }

  // Transitions below are called by JobStore with this monitor held, so that the state and the
  // indexes change together.

  void start(String owner, String token, Instant now, Instant expiresAt) {
    state = JobState.RUNNING;
    attempt++;
    startedAt = now;
    heartbeatAt = now;
    leaseOwner = owner;
    leaseToken = token;
    leaseExpiresAt = expiresAt;
    awaiting = null;
  }

  void extendLease(Instant now, Instant expiresAt) {
    heartbeatAt = now;
    leaseExpiresAt = expiresAt;
  }

  void storeProgress(JobProgress value) {
    progress = value;
  }

  /** Back to PENDING; {@code attemptChange} is 0 for a retry, −1 when the attempt is given back. */
  void requeue(Instant newRunAt, int attemptChange, JobError error) {
    state = JobState.PENDING;
    runAt = newRunAt;
    attempt = Math.max(0, attempt + attemptChange);
    if (error != null) {
      lastError = error;
    }
    clearLease();
  }

  void end(JobState terminal, Instant now, JobError error) {
    state = terminal;
    blocked = false;
    finishedAt = now;
    if (error != null) {
      lastError = error;
    }
    clearLease();
  }

  void reschedule(Instant newRunAt) {
    runAt = newRunAt;
  }

  void redrive(Instant now) {
    state = JobState.PENDING;
    attempt = 0;
    runAt = now;
    finishedAt = null;
  }

  private void clearLease() {
    leaseOwner = null;
    leaseToken = null;
    leaseExpiresAt = null;
  }

  // Durable steps and signals: called by StepStore with this monitor held.

  /** Whether the job has step records (a rescue then gives it extra runs to compensate). */
  boolean hasSteps() {
    return (steps != null && !steps.isEmpty()) || (signals != null && !signals.isEmpty());
  }

  void putStep(dev.keel.queue.spi.StoredStep step) {
    if (steps == null) {
      steps = new java.util.HashMap<>();
    }
    dev.keel.queue.spi.StoredStep old = steps.get(step.name());
    steps.put(
        step.name(),
        old == null
            ? step
            : new dev.keel.queue.spi.StoredStep(
                step.name(), old.seq(), step.body(), step.updatedAt()));
  }

  java.util.List<dev.keel.queue.spi.StoredStep> steps() {
    if (steps == null) {
      return java.util.List.of();
    }
    java.util.List<dev.keel.queue.spi.StoredStep> out = new java.util.ArrayList<>(steps.values());
    out.sort(java.util.Comparator.comparingInt(dev.keel.queue.spi.StoredStep::seq));
    return out;
  }

  /** False if a signal of that name is stored already. */
  boolean putSignal(dev.keel.queue.spi.StoredSignal signal) {
    if (signals == null) {
      signals = new java.util.LinkedHashMap<>();
    }
    return signals.putIfAbsent(signal.name(), signal) == null;
  }

  java.util.List<dev.keel.queue.spi.StoredSignal> signals() {
    return signals == null ? java.util.List.of() : java.util.List.copyOf(signals.values());
  }

  boolean hasSignal(String name) {
    return signals != null && signals.containsKey(name);
  }

  java.util.Set<String> controlSignals() {
    if (signals == null) {
      return java.util.Set.of();
    }
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (String name : signals.keySet()) {
      if (name.startsWith(dev.keel.queue.spi.SignalRequest.CONTROL_PREFIX)) {
        out.add(name);
      }
    }
    return out;
  }

  String awaiting() {
    return awaiting;
  }

  void awaiting(String signal) {
    awaiting = signal;
  }
}
