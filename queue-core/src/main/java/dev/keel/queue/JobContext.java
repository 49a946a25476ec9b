package dev.keel.queue;

import dev.keel.queue.steps.Compensation;
import dev.keel.queue.steps.StepAction;
import java.time.Duration;
import java.util.UUID;

/**
 * What a running handler sees of its job.
 *
 * @param <T> the payload type
 */
public interface JobContext<T> {

  /** The job as claimed (state RUNNING, this attempt's lease). */
  Job job();

  /** The payload, deserialized to the handler's type. */
  T payload();

  default UUID id() {
    return job().id();
  }

  default String tenant() {
    return job().tenant();
  }

  /** 1 for the first attempt. */
  default int attempt() {
    return job().attempt();
  }

  /**
   * Report progress. Cheap to call often: writes are throttled to at most one per second per job,
   * and the last value is always written before the job finishes.
   *
   * @throws InvalidJobException if percent is outside 0–100 or the message is too long
   */
  void progress(int percent, String message);

  /**
   * True once this worker no longer holds the job (lease lost, cancelled, timed out, shutting
   * down). A handler doing long work should check it, or react to the interrupt.
   */
  boolean isStopRequested();

  // ---- Durable steps (see dev.keel.queue.steps and docs/steps.md) ---------------------------
  // Code outside steps runs again on every attempt; code inside a step runs until it returns once.

  /**
   * Runs {@code action} once and stores its result on the job; a later attempt of the job (after a
   * failure, timeout, crash or rescue) returns the stored result without running it again. Names
   * are unique within a run: the same name twice throws {@link
   * dev.keel.queue.steps.InvalidStepException}. If the block throws, the exception goes to the
   * handler as usual (the job retries and runs the block again).
   *
   * @param type the result's type, for reading the stored JSON back
   * @throws dev.keel.queue.steps.StepResultTooLargeException if the result's JSON is larger than
   *     {@link dev.keel.queue.steps.StepLimits#MAX_RESULT_BYTES}
   */
  default <R> R step(String name, Class<R> type, StepAction<R> action) {
    throw new UnsupportedOperationException("this JobContext does not run durable steps");
  }

  /**
   * {@link #step(String, Class, StepAction)} with a compensation: if the job later fails for good
   * (attempts exhausted or a permanent failure) or is cancelled, the compensations of its completed
   * steps run in reverse order, each until it returns once.
   */
  default <R> R step(
      String name, Class<R> type, StepAction<R> action, Compensation<R> compensation) {
    throw new UnsupportedOperationException("this JobContext does not run durable steps");
  }

  /**
   * Suspends the job durably for {@code duration}: it goes back to PENDING, holds no worker and
   * uses no attempt, and the next run continues after this sleep. Returns at once on later runs.
   */
  default void sleep(String name, Duration duration) {
    throw new UnsupportedOperationException("this JobContext does not run durable steps");
  }

  /**
   * Waits for the signal {@code name} sent with {@code client.signal(tenant, jobId, name,
   * payload)}: returns its payload at once if it was already sent (signals are stored, so one sent
   * before the wait is not lost), else suspends the job like {@link #sleep} until it arrives.
   *
   * @throws dev.keel.queue.steps.SignalTimeoutException when {@code timeout} passed first (on this
   *     and every later run)
   */
  default <S> S awaitSignal(String name, Class<S> type, Duration timeout) {
    throw new UnsupportedOperationException("this JobContext does not run durable steps");
  }

  /**
   * Enqueues {@code children} once, as one batch (at most {@link
   * dev.keel.queue.steps.Children#withMaxRunning} of them running at once), suspends the job like
   * {@link #sleep} until every child ended, and returns how each ended with its result (what it
   * returned with {@link JobOutcome#success(Object)}, read as {@code resultType}). Later runs get
   * the stored answer without enqueueing again. The job is woken as soon as the last child ends.
   *
   * @throws dev.keel.queue.steps.InvalidStepException if a child breaks a rule (its field is named,
   *     e.g. {@code children[2].idempotencyKey}); nothing was enqueued
   */
  default <R> dev.keel.queue.steps.ChildResults<R> children(
      String name, dev.keel.queue.steps.Children children, Class<R> resultType) {
    throw new UnsupportedOperationException("this JobContext does not run durable steps");
  }

  /**
   * {@link #children(String, dev.keel.queue.steps.Children, Class)} with a compensation: if the job
   * later fails for good or is cancelled, it gets the stored {@code ChildResults} to undo what the
   * children did (say, for each child that succeeded), in reverse order with the other steps.
   */
  default <R> dev.keel.queue.steps.ChildResults<R> children(
      String name,
      dev.keel.queue.steps.Children children,
      Class<R> resultType,
      Compensation<dev.keel.queue.steps.ChildResults<R>> compensation) {
    throw new UnsupportedOperationException("this JobContext does not run durable steps");
  }
}
