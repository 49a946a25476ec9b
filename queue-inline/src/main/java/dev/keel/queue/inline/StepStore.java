package dev.keel.queue.inline;

import dev.keel.queue.JobState;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StepWrite;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredSignal;
import dev.keel.queue.spi.StoredStep;
import dev.keel.queue.spi.SuspendRequest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;

/**
 * Durable steps and signals, kept on each {@link JobRecord} (so they go when the job is pruned) and
 * changed under the job's monitor like every other transition.
 */
final class StepStore {
  private final InstantSource clock;
  private final JobStore store;
  private final WakeupHub wakeups;

  StepStore(InstantSource clock, JobStore store, WakeupHub wakeups) {
    this.clock = clock;
    this.store = store;
    this.wakeups = wakeups;
  }

  StepWriteResult save(StepWriteRequest request) {
    JobRecord r = store.get(request.lease().jobId());
    if (r == null) {
      return StepWriteResult.lost();
    }
    Instant now = clock.instant();
    synchronized (r) {
      if (!r.isLeasedWith(request.lease().token())) {
        return StepWriteResult.lost();
      }
      for (StepWrite w : request.steps()) {
        r.putStep(new StoredStep(w.name(), w.seq(), w.body(), now));
      }
      return new StepWriteResult(true, r.controlSignals());
    }
  }

  Optional<JobSteps> load(JobRef ref) {
    return store
        .get(ref)
        .map(
            r -> {
              synchronized (r) {
                return new JobSteps(r.steps(), r.signals());
              }
            });
  }

  SignalResult signal(SignalRequest request) {
    Optional<JobRecord> found = store.get(request.job());
    if (found.isEmpty()) {
      return new SignalResult(SignalResult.Outcome.NOT_FOUND, null);
    }
    JobRecord r = found.get();
    Instant now = clock.instant();
    boolean woken = false;
    SignalResult result;
    synchronized (r) {
      JobState state = r.state();
      if (state == JobState.SUCCEEDED || state == JobState.CANCELLED) {
        return new SignalResult(SignalResult.Outcome.FINISHED, state);
      }
      if (!r.putSignal(new StoredSignal(request.name(), request.payload(), now))) {
        return new SignalResult(SignalResult.Outcome.DUPLICATE, state);
      }
      String awaiting = r.awaiting();
      if (state == JobState.PENDING
          && !r.blocked()
          && awaiting != null
          && (awaiting.equals(request.name()) || SignalRequest.wakesAnySuspend(request.name()))) {
        r.awaiting(null);
        store.reschedule(r, now);
        woken = true;
      }
      result = new SignalResult(SignalResult.Outcome.STORED, state);
    }
    if (woken) {
      wakeups.signal(Set.of(r.queue));
    }
    return result;
  }

  FencedResult suspend(SuspendRequest request) {
    JobRecord r = store.get(request.lease().jobId());
    Set<java.util.UUID> one = Set.of(request.lease().jobId());
    if (r == null) {
      return new FencedResult(Set.of(), one);
    }
    Instant now = clock.instant();
    boolean dueNow;
    synchronized (r) {
      if (!r.isLeasedWith(request.lease().token())) {
        return new FencedResult(Set.of(), one);
      }
      String awaited = request.awaitSignal();
      dueNow =
          (!awaited.isEmpty() && r.hasSignal(awaited))
              || r.controlSignals().stream().anyMatch(SignalRequest::wakesAnySuspend);
      store.requeue(r, dueNow ? now : now.plus(request.delay()), -1, null);
      r.awaiting(dueNow ? null : awaited);
    }
    if (dueNow || request.delay().isZero()) {
      wakeups.signal(Set.of(r.queue));
    }
    return new FencedResult(one, Set.of());
  }
}
