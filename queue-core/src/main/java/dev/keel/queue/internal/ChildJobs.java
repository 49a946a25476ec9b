package dev.keel.queue.internal;

import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobType;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job type Keel registers itself for {@code ctx.children}: the on-complete callback of a
 * children batch, which wakes the parent with a control signal. The batch's completion is decided
 * by the backend atomically, so the callback runs once the last child ended, however it ended
 * (worker, cancel, rescue, dependency failure).
 */
public final class ChildJobs {
  private static final Logger log = LoggerFactory.getLogger(ChildJobs.class);

  /** The callback's job type. */
  public static final String TYPE = "keel.children";

  /**
   * The control signal a children step waits for: this prefix and the step's name. It wakes only
   * the suspend awaiting that exact name, not every later one ({@link
   * SignalRequest#CHILDREN_PREFIX}).
   */
  static final String SIGNAL_PREFIX = SignalRequest.CHILDREN_PREFIX;

  /** The callback's payload: whom to wake. */
  public record Done(UUID parent, String step) {
    public Done {
      Objects.requireNonNull(parent, "parent");
      Objects.requireNonNull(step, "step");
    }
  }

  private ChildJobs() {}

  /** The callback type, signalling through {@code backend}. */
  public static JobType<Done> type(QueueBackend backend) {
    return JobType.of(
        TYPE,
        Done.class,
        ctx -> {
          Done d = ctx.payload();
          SignalResult r =
              backend.signal(
                  new SignalRequest(
                      new JobRef(ctx.tenant(), d.parent()), SIGNAL_PREFIX + d.step(), "{}"));
          // NOT_FOUND or FINISHED: the parent was pruned or ended (say, cancelled) meanwhile;
          // nobody is waiting, and the parent's next run (if any) reads the batch itself.
          log.debug(
              "Children of job {} step '{}' ended; parent signalled: {}",
              d.parent(),
              d.step(),
              r.outcome());
          return JobOutcome.success();
        });
  }
}
