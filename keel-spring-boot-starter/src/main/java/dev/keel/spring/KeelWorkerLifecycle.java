package dev.keel.spring;

import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * The application's worker: built (and so checked) with the context, started once the application
 * is ready, and stopped gracefully on shutdown — running jobs get the worker's shutdown grace to
 * finish, claimed jobs that never started go back to PENDING. It stops after the web server (a
 * lower phase), so jobs enqueued by the last requests still run here.
 */
public final class KeelWorkerLifecycle
    implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {
  private static final Logger log = LoggerFactory.getLogger(KeelWorkerLifecycle.class);

  /** Stops after the web server's graceful shutdown (DEFAULT_PHASE - 1024) and its stop. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final Worker worker;
  private final boolean startOnReady;
  private volatile boolean running;

  KeelWorkerLifecycle(
      Keel keel,
      KeelProperties.Worker properties,
      List<KeelWorkerCustomizer> customizers,
      boolean hasTypes) {
    this.startOnReady = properties.getStart() == KeelProperties.WorkerStart.ON_READY;
    if (!hasTypes) {
      log.info("Keel: no job handlers are declared in this application, so no worker runs here");
      this.worker = null;
    } else {
      this.worker = KeelFactory.worker(properties, keel, customizers);
    }
  }

  /** The worker, or null when the application declares no handlers. */
  public Worker worker() {
    return worker;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (worker != null && startOnReady && running && !worker.isRunning()) {
      worker.start();
      log.info("Keel worker {} started", worker.id());
    }
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    if (worker != null && worker.isRunning()) {
      log.info("Keel worker {} stopping: letting running jobs finish", worker.id());
      worker.close();
      log.info("Keel worker {} stopped", worker.id());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
