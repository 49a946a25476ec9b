package dev.keel.queue;

/**
 * Runs jobs of one type. Called on a worker thread (or the caller's, when draining) with MDC set to
 * the job's id, type, tenant, attempt and trace id.
 *
 * <p>Return an outcome; or throw: a {@link JobOutcomeException} ends with its outcome, any other
 * exception is recorded on the job and retried by the type's retry policy. An interrupt means the
 * job timed out, was cancelled, or the worker is shutting down: stop promptly.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface JobHandler<T> {

  JobOutcome handle(JobContext<T> context) throws Exception;

  /** A handler that only consumes the payload and succeeds when it returns normally. */
  static <T> JobHandler<T> of(PayloadConsumer<T> consumer) {
    return ctx -> {
      consumer.accept(ctx.payload());
      return JobOutcome.success();
    };
  }

  /** The body of a handler that needs only the payload. */
  @FunctionalInterface
  interface PayloadConsumer<T> {
    void accept(T payload) throws Exception;
  }
}
