package dev.keel.queue.internal;

import dev.keel.queue.JobEvent;
import dev.keel.queue.JobListener;
import dev.keel.queue.MaintenanceReport;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to listeners; a listener's exception is logged and never reaches the job. */
public final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);
  // Copy-on-write: events far outnumber additions, and firing must not lock.
  private final List<JobListener> listeners;

  public Listeners(List<JobListener> listeners) {
    this.listeners = new java.util.concurrent.CopyOnWriteArrayList<>(listeners);
  }

  /** Adds a listener after construction; the returned action removes it again. */
  public Runnable add(JobListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  public void fire(JobEvent event) {
    for (JobListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        // A listener is an observer: its failure must not change the job's outcome.
        log.warn(
            "Job listener {} threw on {}; the job is unaffected",
            l,
            event.getClass().getSimpleName(),
            e);
      }
    }
  }

  public void fireMaintenance(MaintenanceReport report) {
    for (JobListener l : listeners) {
      try {
        l.onMaintenance(report);
      } catch (RuntimeException e) {
        log.warn("Job listener {} threw on a maintenance report; maintenance is unaffected", l, e);
      }
    }
  }
}
