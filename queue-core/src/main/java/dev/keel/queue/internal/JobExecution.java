package dev.keel.queue.internal;

import dev.keel.queue.Job;
import dev.keel.queue.JobContext;
import dev.keel.queue.JobError;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobOutcomeException;
import dev.keel.queue.JobProgress;
import dev.keel.queue.JobThrottle;
import dev.keel.queue.JobType;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one claimed job on the current thread and decides its outcome: the same path for workers and
 * for drain. Sets MDC and trace context, enforces the timeout by interrupting this thread, maps the
 * handler's result or exception to a {@link Finish}, and logs every failure once.
 */
public final class JobExecution {
  private static final Logger log = LoggerFactory.getLogger(JobExecution.class);

  private final QueueBackend backend;
  private final CanonicalJson json;
  private final InstantSource clock;
  private final ScheduledExecutorService timers;
  private final TracePropagator tracing;
  private final Listeners listeners;
  private final DurationRecorder durations;
  private final JobThrottle throttle;
  private final dev.keel.queue.JobClient client;

  public JobExecution(
      QueueBackend backend,
      dev.keel.queue.JobClient client,
      CanonicalJson json,
      InstantSource clock,
      ScheduledExecutorService timers,
      TracePropagator tracing,
      Listeners listeners,
      DurationRecorder durations,
      JobThrottle throttle) {
    this.backend = backend;
    this.client = client;
    this.throttle = throttle;
    this.json = json;
    this.clock = clock;
    this.timers = timers;
    this.tracing = tracing;
    this.listeners = listeners;
    this.durations = durations;
  }

  /** Retry delay after an internal error or a retry policy that gave no usable delay. */
  static final Duration ENGINE_ERROR_DELAY = Duration.ofSeconds(1);

  /** Runs the job; never throws for anything the handler does. */
  public Completion run(RunningJob rj) {
    Job job = rj.job();
    MDC.put("jobId", job.id().toString());
    MDC.put("jobType", job.type());
    MDC.put("tenant", job.tenant());
    MDC.put("attempt", Integer.toString(job.attempt()));
    String traceId = traceId(job.traceparent());
    if (traceId != null) {
      MDC.put("traceId", traceId);
    }
    try {
      TracePropagator.Execution trace = null;
      Completion completion;
      try {
        trace = tracing.execute(job);
        completion = attempt(rj);
      } catch (RuntimeException e) {
        // A failure of Keel itself (not of the handler): still store an outcome, so the job is
        // neither left RUNNING nor silently dropped.
        log.error("Job {} ({}): internal error while running it", job.id(), job.type(), e);
        completion = retryOrFail(rj, JobError.of(e), ENGINE_ERROR_DELAY, e);
      }
      if (trace != null) {
        endTrace(trace, job, completion.event());
      }
      return completion;
    } finally {
      MDC.remove("jobId");
      MDC.remove("jobType");
      MDC.remove("tenant");
      MDC.remove("attempt");
      MDC.remove("traceId");
    }
  }

  private Completion attempt(RunningJob rj) {
    Job job = rj.job();
    if (rj.stopReason() == StopReason.LEASE_LOST) {
      // Cancelled or rescued while it waited in prefetch: never start its handler.
      log.info(
          "Job {} ({}) lost its lease before it started; not running it", job.id(), job.type());
      return new Completion(rj, null, new JobEvent.LeaseLost(job));
    }
    if (rj.leaseMayHaveExpired()) {
      // Prefetched, then this process was paused or cut off for longer than the lease: the job
      // may have been rescued and run elsewhere. Give it back (refused if the lease is gone)
      // rather than run its side effects again.
      log.warn(
          "Job {} ({}): no claim or heartbeat confirmed its lease within the lease before it"
              + " started; giving it back instead of running it",
          job.id(),
          job.type());
      return new Completion(rj, new Finish.Release(rj.lease()), new JobEvent.Released(job));
    }
    Duration defer = throttleDelay(job);
    if (defer != null) {
      return new Completion(
          rj, new Finish.Snooze(rj.lease(), defer), new JobEvent.Throttled(job, defer));
    }
    listeners.fire(new JobEvent.Started(job));
    return execute(rj);
  }

  /** Tells the propagator the outcome and closes its scope; a hook that throws changes nothing. */
  private static void endTrace(TracePropagator.Execution trace, Job job, JobEvent outcome) {
    try {
      if (outcome != null) {
        trace.outcome(outcome);
      }
    } catch (RuntimeException e) {
      log.warn(
          "Trace propagator failed to record the outcome of job {} ({})", job.id(), job.type(), e);
    } finally {
      try {
        trace.close();
      } catch (RuntimeException e) {
        log.warn(
            "Trace propagator failed to close the scope of job {} ({})", job.id(), job.type(), e);
      }
    }
  }

  /** Null to run now, else how long to defer. */
  private Duration throttleDelay(Job job) {
    if (throttle == null) {
      return null;
    }
    Duration d;
    try {
      d = throttle.delayFor(job);
    } catch (RuntimeException e) {
      log.warn(
          "Throttle failed for job {} ({}); deferring it by {} without using an attempt",
          job.id(),
          job.type(),
          JobThrottle.ON_ERROR_DELAY,
          e);
      return JobThrottle.ON_ERROR_DELAY;
    }
    if (d == null || d.isZero() || d.isNegative()) {
      return null;
    }
    log.debug("Job {} ({}) throttled; deferred by {}", job.id(), job.type(), d);
    return d;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Completion execute(RunningJob rj) {
    Job job = rj.job();
    JobType type = rj.type();
    Object payload;
    try {
      payload = json.read(job.payload(), type.payloadType());
    } catch (Exception e) {
      JobError error = JobError.of(e);
      log.error(
          "Job {} ({}) payload cannot be read as {}; failing it permanently",
          job.id(),
          job.type(),
          type.payloadType().getName(),
          e);
      return new Completion(
          rj, new Finish.Fail(rj.lease(), error), new JobEvent.Failed(job, error));
    }
    ProgressReporter progress = new ProgressReporter(backend, rj.lease(), clock);
    StepRunner steps = new StepRunner(backend, client, json.mapper(), clock, rj);
    if (job.attempt() > job.maxAttempts()) {
      Completion c = afterAttemptsRanOut(rj, steps);
      if (c != null) {
        return c;
      }
    }
    Context<Object> ctx = new Context<>(job, payload, progress, rj, steps);
    Duration timeout = job.timeout() != null ? job.timeout() : type.timeout();
    long startNanos = System.nanoTime();
    JobOutcome outcome;
    Throwable failure = null;
    rj.enterHandler(Thread.currentThread());
    ScheduledFuture<?> timer = null;
    try {
      if (timeout != null) {
        timer =
            timers.schedule(
                () -> rj.requestStop(StopReason.TIMEOUT), timeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      outcome = ((JobHandler) type.handler()).handle(ctx);
      if (outcome == null) {
        outcome = JobOutcome.retry("handler returned null instead of an outcome");
      }
    } catch (JobOutcomeException e) {
      outcome = e.outcome();
      failure = e.getCause();
    } catch (dev.keel.queue.steps.InvalidStepException e) {
      // Breaking a step rule is deterministic: the next attempt would break it again.
      outcome = JobOutcome.permanentFailure(e.getMessage());
      failure = e;
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      outcome = null;
      failure = e;
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
      rj.exitHandler();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    durations.record(took);
    progress.flush();
    if (steps.stopped()) {
      rj.requestStop(StopReason.LEASE_LOST);
    }
    if (outcome instanceof JobOutcome.Success s
        && s.result() != null
        && failure == null
        && steps.suspension() == null
        && !steps.compensating()
        && rj.stopReason() != StopReason.LEASE_LOST) {
      try {
        if (!steps.storeResult(s.result())) {
          rj.requestStop(StopReason.LEASE_LOST);
        }
      } catch (dev.keel.queue.InvalidInputException e) {
        // Too large or not JSON: the same result would break the same rule on every attempt.
        // The message names the field itself: "result: must be at most ... bytes ...".
        outcome = JobOutcome.permanentFailure(e.getMessage());
        failure = e;
      } catch (RuntimeException e) {
        outcome = null; // the result could not be stored: retry like any failure
        failure = e;
      }
    }
    if (rj.stopReason() != StopReason.LEASE_LOST) {
      if (steps.suspension() != null) {
        return suspend(rj, steps);
      }
      if (steps.compensating()) {
        if (failure != null && !(failure instanceof StepControl)) {
          log.warn(
              "Job {} ({}): the replay before compensation threw; compensating anyway",
              job.id(),
              job.type(),
              failure);
        }
        return compensate(rj, steps, steps.sagaOutcome(), JobError.of(steps.sagaReason()));
      }
    }
    Completion decided = decide(rj, outcome, failure, took, timeout);
    if (decided.finish() instanceof Finish.Fail f && steps.needsCompensation()) {
      return compensate(rj, steps, StepRunner.FAIL, f.error());
    }
    if (decided.finish() instanceof Finish.Cancel c && steps.needsCompensation()) {
      return compensate(rj, steps, StepRunner.CANCEL, JobError.of(c.reason()));
    }
    return decided;
  }

  /**
   * A job past its attempts: the rescue gave it an extra run because its worker died on its last
   * attempt (see {@link dev.keel.queue.spi.RescueRequest#EXTRA_RUNS_WITH_STEPS}). Its handler does
   * not run anew: it compensates its completed steps and fails, or just fails. Null if a saga is
   * already under way, whose replay runs the handler in compensation mode.
   */
  private Completion afterAttemptsRanOut(RunningJob rj, StepRunner steps) {
    Job job = rj.job();
    JobError error = job.lastError() != null ? job.lastError() : JobError.of("attempts exhausted");
    boolean needs;
    try {
      if (steps.sagaEnded()) {
        // Its compensations all ran, then the worker died before storing the finish: end the job
        // as that saga decided, not as "lease expired".
        log.warn(
            "Job {} ({}) has no attempts left after its worker stopped ({}); its saga had ended",
            job.id(),
            job.type(),
            error.message());
        return sagaFinished(rj, steps, steps.sagaOutcome(), steps.sagaReason(), "");
      }
      needs = steps.needsCompensation();
    } catch (RuntimeException e) {
      log.error(
          "Job {} ({}): its steps could not be read after its attempts ran out; retrying in {}",
          job.id(),
          job.type(),
          ENGINE_ERROR_DELAY,
          e);
      return snoozeAfterEngineError(rj);
    }
    if (steps.compensating()) {
      return null;
    }
    if (needs) {
      log.warn(
          "Job {} ({}) has no attempts left after its worker stopped ({}); compensating",
          job.id(),
          job.type(),
          error.message());
      return compensate(rj, steps, StepRunner.FAIL, error);
    }
    log.error(
        "Job {} ({}) failed for good: no attempts left after its worker stopped ({})",
        job.id(),
        job.type(),
        error.message());
    return new Completion(rj, new Finish.Fail(rj.lease(), error), new JobEvent.Failed(job, error));
  }

  /** Runs the job again after {@link #ENGINE_ERROR_DELAY}, giving its attempt back. */
  private static Completion snoozeAfterEngineError(RunningJob rj) {
    return new Completion(
        rj,
        new Finish.Snooze(rj.lease(), ENGINE_ERROR_DELAY),
        new JobEvent.Snoozed(rj.job(), ENGINE_ERROR_DELAY));
  }

  /** Applies a sleep or signal wait: the job goes back to PENDING without using an attempt. */
  private Completion suspend(RunningJob rj, StepRunner steps) {
    Job job = rj.job();
    dev.keel.queue.spi.SuspendRequest s = steps.suspension();
    rj.markFinishing();
    boolean applied;
    try {
      applied = backend.suspend(s).isApplied(job.id());
    } catch (RuntimeException e) {
      // The sleep or wait is recorded already: run again soon rather than fail the attempt.
      log.warn(
          "Job {} ({}) could not suspend; running it again in {}",
          job.id(),
          job.type(),
          ENGINE_ERROR_DELAY,
          e);
      return snoozeAfterEngineError(rj);
    }
    if (!applied) {
      log.warn("Job {} ({}) lost its lease before it could suspend", job.id(), job.type());
      return new Completion(rj, null, new JobEvent.LeaseLost(job));
    }
    log.debug("Job {} ({}) suspended for {}", job.id(), job.type(), s.delay());
    return new Completion(rj, null, new JobEvent.Snoozed(job, s.delay()));
  }

  /** Runs the saga's compensations; finishes the job FAILED or CANCELLED once they are done. */
  private Completion compensate(RunningJob rj, StepRunner steps, String outcome, JobError cause) {
    Job job = rj.job();
    String reason = cause.message();
    StepRunner.SagaProgress progress;
    try {
      progress = steps.compensate(outcome, reason, tries -> compensationDelay(rj, tries));
    } catch (RuntimeException e) {
      log.error("Job {} ({}): compensation could not run; retrying", job.id(), job.type(), e);
      return snoozeAfterEngineError(rj);
    }
    if (progress.leaseLost()) {
      log.warn("Job {} ({}) lost its lease while compensating", job.id(), job.type());
      return new Completion(rj, null, new JobEvent.LeaseLost(job));
    }
    if (progress.runAgainIn() != null) {
      Duration d = progress.runAgainIn();
      return new Completion(rj, new Finish.Snooze(rj.lease(), d), new JobEvent.Snoozed(job, d));
    }
    return sagaFinished(rj, steps, outcome, reason, cause.stackTrace());
  }

  /** Finishes a job whose compensations are done: CANCELLED or FAILED, with the saga's summary. */
  private static Completion sagaFinished(
      RunningJob rj, StepRunner steps, String outcome, String reason, String stackTrace) {
    Job job = rj.job();
    String text = (reason == null ? "failed" : reason) + " (" + steps.sagaSummary() + ")";
    if (StepRunner.CANCEL.equals(outcome)) {
      log.info("Job {} ({}) cancelled after compensation: {}", job.id(), job.type(), text);
      return new Completion(
          rj, new Finish.Cancel(rj.lease(), text), new JobEvent.Cancelled(job, text));
    }
    JobError error = new JobError(text, stackTrace);
    log.error("Job {} ({}) failed for good after compensation: {}", job.id(), job.type(), text);
    return new Completion(rj, new Finish.Fail(rj.lease(), error), new JobEvent.Failed(job, error));
  }

  /** The delay before a compensation is tried again: the type's retry policy, by try number. */
  private static Duration compensationDelay(RunningJob rj, int tries) {
    try {
      Duration d = rj.type().retryPolicy().delayAfter(tries);
      return d != null && !d.isNegative() ? d : ENGINE_ERROR_DELAY;
    } catch (RuntimeException e) {
      log.error(
          "Retry policy of type {} threw; compensation retries in {}",
          rj.job().type(),
          ENGINE_ERROR_DELAY,
          e);
      return ENGINE_ERROR_DELAY;
    }
  }

  private Completion decide(
      RunningJob rj, JobOutcome outcome, Throwable failure, Duration took, Duration timeout) {
    Job job = rj.job();
    StopReason stop = rj.stopReason();
    if (stop == StopReason.LEASE_LOST) {
      log.warn(
          "Job {} ({}) attempt {} lost its lease while running (rescued or cancelled elsewhere); its result is discarded",
          job.id(),
          job.type(),
          job.attempt());
      return new Completion(rj, null, new JobEvent.LeaseLost(job));
    }
    if (stop == StopReason.TIMEOUT && !(outcome instanceof JobOutcome.Success)) {
      return retryOrFail(
          rj,
          new JobError(
              "timed out after " + timeout + " (handler interrupted)",
              failure == null ? "" : JobError.of(failure).stackTrace()),
          null,
          failure);
    }
    if (stop == StopReason.SHUTDOWN && !(outcome instanceof JobOutcome.Success)) {
      if (job.attempt() >= job.maxAttempts()) {
        // A deploy must not turn a job FAILED: give its last attempt back instead.
        log.warn(
            "Job {} ({}) interrupted by worker shutdown on its last attempt; it will run again",
            job.id(),
            job.type());
        return new Completion(
            rj,
            new Finish.Snooze(rj.lease(), Duration.ZERO),
            new JobEvent.Snoozed(job, Duration.ZERO));
      }
      return retryOrFail(
          rj, JobError.of("interrupted by worker shutdown after " + took), null, failure);
    }
    if (outcome == null) {
      return retryOrFail(rj, JobError.of(failure), null, failure);
    }
    if (outcome instanceof JobOutcome.Success) {
      return new Completion(rj, new Finish.Succeed(rj.lease()), new JobEvent.Succeeded(job, took));
    }
    if (outcome instanceof JobOutcome.Retry r) {
      JobError error = failure != null ? withMessage(r.reason(), failure) : JobError.of(r.reason());
      return retryOrFail(rj, error, r.delay(), failure);
    }
    if (outcome instanceof JobOutcome.PermanentFailure p) {
      JobError error = failure != null ? withMessage(p.reason(), failure) : JobError.of(p.reason());
      log.error("Job {} ({}) failed permanently: {}", job.id(), job.type(), p.reason(), failure);
      return new Completion(
          rj, new Finish.Fail(rj.lease(), error), new JobEvent.Failed(job, error));
    }
    if (outcome instanceof JobOutcome.Snooze s) {
      return new Completion(
          rj, new Finish.Snooze(rj.lease(), s.delay()), new JobEvent.Snoozed(job, s.delay()));
    }
    JobOutcome.Cancel c = (JobOutcome.Cancel) outcome;
    log.info("Job {} ({}) cancelled by its handler: {}", job.id(), job.type(), c.reason());
    return new Completion(
        rj, new Finish.Cancel(rj.lease(), c.reason()), new JobEvent.Cancelled(job, c.reason()));
  }

  private Completion retryOrFail(RunningJob rj, JobError error, Duration delay, Throwable cause) {
    Job job = rj.job();
    if (job.attempt() >= job.maxAttempts()) {
      log.error(
          "Job {} ({}) failed on attempt {} of {}, no attempts left: {}",
          job.id(),
          job.type(),
          job.attempt(),
          job.maxAttempts(),
          error.message(),
          cause);
      return new Completion(
          rj, new Finish.Fail(rj.lease(), error), new JobEvent.Failed(job, error));
    }
    Duration wait = delay != null ? delay : policyDelay(rj);
    log.warn(
        "Job {} ({}) failed on attempt {} of {}, retrying in {}: {}",
        job.id(),
        job.type(),
        job.attempt(),
        job.maxAttempts(),
        wait,
        error.message(),
        cause);
    return new Completion(
        rj, new Finish.Retry(rj.lease(), error, wait), new JobEvent.Retrying(job, error, wait));
  }

  /** The type's retry delay; a policy that throws or answers nonsense gets a default. */
  private static Duration policyDelay(RunningJob rj) {
    Job job = rj.job();
    try {
      Duration d = rj.type().retryPolicy().delayAfter(job.attempt());
      if (d != null && !d.isNegative()) {
        return d;
      }
      log.error(
          "Retry policy of type {} returned {} for attempt {}; retrying in {}",
          job.type(),
          d,
          job.attempt(),
          ENGINE_ERROR_DELAY);
    } catch (RuntimeException e) {
      log.error(
          "Retry policy of type {} threw for attempt {}; retrying in {}",
          job.type(),
          job.attempt(),
          ENGINE_ERROR_DELAY,
          e);
    }
    return ENGINE_ERROR_DELAY;
  }

  private static JobError withMessage(String reason, Throwable cause) {
    return new JobError(reason, JobError.of(cause).stackTrace());
  }

  /** The trace id (second field) of a W3C traceparent, or null. */
  static String traceId(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    String[] parts = traceparent.split("-");
    return parts.length >= 2 ? parts[1] : null;
  }

  private static final class Context<T> implements JobContext<T> {
    private final Job job;
    private final T payload;
    private final ProgressReporter progress;
    private final RunningJob rj;
    private final StepRunner steps;

    Context(Job job, T payload, ProgressReporter progress, RunningJob rj, StepRunner steps) {
      this.steps = steps;
      this.job = job;
      this.payload = payload;
      this.progress = progress;
      this.rj = rj;
    }

    @Override
    public Job job() {
      return job;
    }

    @Override
    public T payload() {
      return payload;
    }

    @Override
    public void progress(int percent, String message) {
      progress.report(new JobProgress(percent, message));
    }

    @Override
    public boolean isStopRequested() {
      return rj.stopReason() != null;
    }

    @Override
    public <R> R step(String name, Class<R> type, dev.keel.queue.steps.StepAction<R> action) {
      return steps.step(name, type, action, null);
    }

    @Override
    public <R> R step(
        String name,
        Class<R> type,
        dev.keel.queue.steps.StepAction<R> action,
        dev.keel.queue.steps.Compensation<R> compensation) {
      java.util.Objects.requireNonNull(compensation, "compensation");
      return steps.step(name, type, action, compensation);
    }

    @Override
    public void sleep(String name, Duration duration) {
      steps.sleep(name, duration);
    }

    @Override
    public <S> S awaitSignal(String name, Class<S> type, Duration timeout) {
      return steps.awaitSignal(name, type, timeout);
    }

    @Override
    public <R> dev.keel.queue.steps.ChildResults<R> children(
        String name, dev.keel.queue.steps.Children children, Class<R> resultType) {
      return steps.children(name, children, resultType, null);
    }

    @Override
    public <R> dev.keel.queue.steps.ChildResults<R> children(
        String name,
        dev.keel.queue.steps.Children children,
        Class<R> resultType,
        dev.keel.queue.steps.Compensation<dev.keel.queue.steps.ChildResults<R>> compensation) {
      java.util.Objects.requireNonNull(compensation, "compensation");
      return steps.children(name, children, resultType, compensation);
    }
  }
}
