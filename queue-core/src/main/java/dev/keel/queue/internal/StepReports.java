package dev.keel.queue.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.StoredSignal;
import dev.keel.queue.spi.StoredStep;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepReport;
import dev.keel.queue.steps.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns stored step records into the {@link StepReport} that people and dashboards read. */
public final class StepReports {
  static final int SUMMARY_LENGTH = 200;

  private StepReports() {}

  public static StepReport of(ObjectMapper mapper, JobSteps stored) {
    List<StepInfo> steps = new ArrayList<>();
    StepState saga = null;
    String reason = null;
    for (StoredStep s : stored.steps()) {
      StepRecord r = StepRecord.read(mapper, s);
      if (StepRecord.SAGA.equals(s.name())) {
        saga = r.state();
        reason = r.error();
        continue;
      }
      if (StepRecord.RESULT.equals(s.name())) {
        continue; // the job's result: client.result
      }
      String summary = r.result() == null ? null : r.result().toString();
      if (summary != null && summary.length() > SUMMARY_LENGTH) {
        summary = summary.substring(0, SUMMARY_LENGTH - 1) + "…";
      }
      steps.add(
          new StepInfo(
              s.name(),
              r.kind(),
              r.state(),
              summary,
              r.attempt(),
              time(r.startedAt()),
              time(r.finishedAt()),
              r.error(),
              r.compensable(),
              r.compensationAttempts(),
              time(r.until())));
    }
    List<StepReport.Signal> signals = new ArrayList<>();
    for (StoredSignal sig : stored.signals()) {
      signals.add(new StepReport.Signal(sig.name(), sig.sentAt()));
    }
    return new StepReport(steps, signals, saga, reason);
  }

  /**
   * True if cancelling the job must go through its saga: it is compensating already, or it has a
   * completed step whose compensation has not run.
   */
  public static boolean hasPendingCompensation(ObjectMapper mapper, JobSteps stored) {
    boolean any = false;
    for (StoredStep s : stored.steps()) {
      StepRecord r = StepRecord.read(mapper, s);
      if (StepRecord.SAGA.equals(s.name())) {
        if (r.state() == StepState.COMPENSATING) {
          return true;
        }
        continue;
      }
      any |= r.compensable() && r.state() == StepState.COMPLETED;
    }
    return any;
  }

  /** The result the job stored with {@code JobOutcome.success(result)}; null if none. */
  public static com.fasterxml.jackson.databind.JsonNode result(
      ObjectMapper mapper, JobSteps stored) {
    for (StoredStep s : stored.steps()) {
      if (StepRecord.RESULT.equals(s.name())) {
        return StepRecord.read(mapper, s).result();
      }
    }
    return null;
  }

  /** The batches of children steps still waiting for their children. */
  public static List<java.util.UUID> openChildBatches(ObjectMapper mapper, JobSteps stored) {
    List<java.util.UUID> out = new ArrayList<>();
    for (StoredStep s : stored.steps()) {
      StepRecord r = StepRecord.read(mapper, s);
      if (r.kind() == dev.keel.queue.steps.StepKind.CHILDREN
          && r.state() == StepState.WAITING
          && r.result() != null
          && r.result().hasNonNull("batch")) {
        out.add(java.util.UUID.fromString(r.result().get("batch").asText()));
      }
    }
    return out;
  }

  private static Instant time(String iso) {
    return iso == null ? null : Instant.parse(iso);
  }
}
