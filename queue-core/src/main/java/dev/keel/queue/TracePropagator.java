package dev.keel.queue;

import java.util.UUID;

/**
 * Carries trace context from enqueue to execution.
 *
 * <p>The two basic methods are all a simple propagator needs: {@link #capture()} runs on the
 * enqueueing thread and returns the W3C {@code traceparent} stored on the job; {@link #restore}
 * runs on the worker thread around the handler. The default reads and writes the SLF4J MDC key
 * {@code traceparent}.
 *
 * <p>A tracer that makes spans (OpenTelemetry, for example) overrides the two lifecycle hooks as
 * well: {@link #send} is called once per job being enqueued, and may start a producer span whose
 * context is stored on the job; {@link #execute} is called once per attempt around the handler, and
 * learns the attempt's outcome before it is closed. Their defaults fall back to {@link #capture()}
 * and {@link #restore}. Every hook runs synchronously on Keel's threads: it must be quick and must
 * not throw (an exception thrown by a hook is treated as an internal error of that enqueue or that
 * attempt).
 */
public interface TracePropagator {

  /**
   * Metadata key under which {@link Send#tracestate()} is stored on the job, when it is not empty.
   * It counts against {@link Limits#MAX_METADATA_ENTRIES} like any entry.
   */
  String TRACESTATE_METADATA_KEY = "tracestate";

  /** The current W3C traceparent, or null if there is none. */
  String capture();

  /** Make {@code traceparent} current until the returned scope is closed. */
  Scope restore(String traceparent);

  /**
   * One job is being enqueued from the current thread: returns the context to store on it. Called
   * after the request passed every check and got its id. {@link Send#end} is called once the
   * backend answered (with the error if it failed), or at once when the job was only prepared for
   * an enqueue that the caller runs in its own transaction ({@code JobClient.prepare}).
   */
  default Send send(Outgoing job) {
    String traceparent = capture();
    return () -> traceparent;
  }

  /**
   * One attempt of {@code job} is about to run on the current thread: make its context current
   * until the returned execution is closed. {@link Execution#outcome} is called before {@code
   * close} with what the attempt came to.
   */
  default Execution execute(Job job) {
    Scope scope = restore(job.traceparent());
    return scope::close;
  }

  /** Closes what {@link #restore} opened; never throws. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** The job being enqueued, as {@link #send} sees it. */
  record Outgoing(UUID id, String type, String queue, String tenant) {}

  /** The trace context stored on one enqueued job. */
  interface Send {
    /** The W3C traceparent to store on the job, or null. */
    String traceparent();

    /** The W3C tracestate to store (in metadata), or null when there is none. */
    default String tracestate() {
      return null;
    }

    /**
     * The enqueue is over: {@code error} is null when the backend stored the job (or, for a
     * prepared job, when preparation succeeded), else why it did not.
     */
    default void end(Throwable error) {}
  }

  /** One attempt in progress; closing it restores the thread's previous context. */
  interface Execution extends Scope {
    /**
     * What the attempt came to: {@link JobEvent.Succeeded}, {@link JobEvent.Retrying}, {@link
     * JobEvent.Failed}, {@link JobEvent.Snoozed}, {@link JobEvent.Cancelled}, {@link
     * JobEvent.Throttled} or {@link JobEvent.LeaseLost}. Called at most once, before {@link
     * #close}; not called when the attempt never reached a decision.
     */
    default void outcome(JobEvent event) {}
  }

  /** The MDC-based default. */
  static TracePropagator mdc() {
    return dev.keel.queue.internal.MdcTracePropagator.INSTANCE;
  }
}
