package dev.keel.queue.internal;

import dev.keel.queue.DrainOptions;
import dev.keel.queue.DrainReport;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs due jobs one at a time in the caller's thread, through the same claim, lease, execution and
 * fenced finish as a worker. Used by tests ("nothing runs until the test drains"), scripts and
 * serverless handlers.
 */
public final class Drainer {
  private static final Logger log = LoggerFactory.getLogger(Drainer.class);
  private final KeelRuntime rt;
  private final Duration leaseDuration;

  public Drainer(KeelRuntime rt, Duration leaseDuration) {
    this.rt = rt;
    this.leaseDuration = leaseDuration;
  }

  public DrainReport drain(DrainOptions options) {
    Set<String> types =
        new HashSet<>(options.types().isEmpty() ? rt.types().keySet() : options.types());
    if (rt.types().containsKey(ChildJobs.TYPE)) {
      types.add(ChildJobs.TYPE); // wakes parents of children steps, like a worker would
    }
    for (String t : options.types()) {
      if (!rt.types().containsKey(t)) {
        throw new InvalidJobException(
            "drain.types", "no handler is registered for type '" + t + "'");
      }
    }
    for (String t : options.maxPerType().keySet()) {
      if (!rt.types().containsKey(t)) {
        throw new InvalidJobException(
            "drain.maxPerType." + t, "no handler is registered for type '" + t + "'");
      }
    }
    java.util.Map<String, Integer> perTypeLeft = new java.util.HashMap<>(options.maxPerType());
    types.removeIf(t -> perTypeLeft.getOrDefault(t, 1) <= 0);
    for (String q : options.queues()) {
      JobPreparer.name("drain.queues", q);
    }
    if (options.tenant() != null) {
      JobPreparer.name("drain.tenant", options.tenant());
    }
    String owner = "drain-" + UUID.randomUUID();
    Instant start = rt.clock().instant();
    Instant end = start.plus(options.budget());
    long startNanos = System.nanoTime();
    int[] counts = new int[6]; // succeeded, retried, failed, snoozed, cancelled, leaseLost
    int ran = 0;
    DrainReport.StopReason why = DrainReport.StopReason.IDLE;
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        why = DrainReport.StopReason.INTERRUPTED;
        break;
      }
      if (ran >= options.maxJobs()) {
        why = DrainReport.StopReason.MAX_JOBS;
        break;
      }
      if (!rt.clock().instant().isBefore(end)
          || System.nanoTime() - startNanos >= options.budget().toNanos()) {
        why = DrainReport.StopReason.BUDGET;
        break;
      }
      if (types.isEmpty()) {
        break;
      }
      List<Job> claimed =
          rt.backend()
              .claim(
                  new ClaimRequest(
                      owner, options.queues(), types, Set.of(), options.tenant(), 1, leaseDuration))
              .jobs();
      if (claimed.isEmpty()) {
        break;
      }
      Job job = claimed.get(0);
      if (perTypeLeft.containsKey(job.type())
          && perTypeLeft.merge(job.type(), -1, Integer::sum) <= 0) {
        types.remove(job.type());
      }
      RunningJob rj = new RunningJob(job, rt.types().get(job.type()));
      rj.tryStart();
      ScheduledFuture<?> heartbeat =
          rt.timers()
              .scheduleWithFixedDelay(
                  new Heartbeater(rt.backend(), leaseDuration, () -> List.of(rj)),
                  leaseDuration.toMillis() / 3,
                  leaseDuration.toMillis() / 3,
                  TimeUnit.MILLISECONDS);
      Completion c;
      try {
        c = rt.execution().run(rj);
      } finally {
        heartbeat.cancel(false);
      }
      ran++;
      count(c, counts);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    return new DrainReport(
        ran, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], elapsed, why);
  }

  private void count(Completion c, int[] counts) {
    if (c.finish() == null) {
      rt.listeners().fire(c.event());
      // No finish to store: the lease was lost, or the job suspended itself (a durable step).
      counts[c.event() instanceof JobEvent.Snoozed ? 3 : 5]++;
      return;
    }
    FencedResult result = rt.backend().finish(FinishRequest.of(c.finish()));
    rt.blocked().resolveAfter(result.toResolve(), java.util.Set.of(), "a drained job ended");
    if (!result.isApplied(c.job().job().id())) {
      log.warn(
          "Drained job {} lost its lease before its result was stored; result discarded",
          c.job().job().id());
      rt.listeners().fire(new JobEvent.LeaseLost(c.job().job()));
      counts[5]++;
      return;
    }
    rt.listeners().fire(c.event());
    Finish f = c.finish();
    int slot =
        f instanceof Finish.Succeed
            ? 0
            : f instanceof Finish.Retry
                ? 1
                : f instanceof Finish.Fail
                    ? 2
                    : f instanceof Finish.Snooze ? 3 : f instanceof Finish.Cancel ? 4 : 5;
    counts[slot]++;
  }
}
