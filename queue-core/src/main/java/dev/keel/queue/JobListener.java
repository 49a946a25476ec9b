package dev.keel.queue;

/**
 * Observes job lifecycle events in this process (metrics, tracing, audit). Called synchronously on
 * the thread where the event happened; must be quick and must not throw. An exception it throws is
 * logged with its stack trace and does not change the job.
 */
@FunctionalInterface
public interface JobListener {
  void onEvent(JobEvent event);

  /**
   * A maintenance run on this node held the maintenance lock and finished: how many expired leases
   * it rescued or failed, and how many finished jobs it pruned. Called on the maintenance thread;
   * the default ignores it.
   */
  default void onMaintenance(MaintenanceReport report) {}

  /** A listener added by {@link Keel#addListener}; {@link #close()} removes it. Idempotent. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
