package dev.keel.queue;

/**
 * Observes job lifecycle events in this process (metrics, tracing, audit). Called synchronously on
 * the thread where the event happened; must be quick and must not throw. An exception it throws is
 * logged with its stack trace and does not change the job.
 */
@FunctionalInterface
public interface JobListener {
  void onEvent(JobEvent event);
}
