package dev.keel.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.BatchRequest;
import dev.keel.queue.BatchState;
import dev.keel.queue.BatchStatus;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.StepWrite;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredSignal;
import dev.keel.queue.spi.StoredStep;
import dev.keel.queue.spi.SuspendRequest;
import dev.keel.queue.steps.ChildResult;
import dev.keel.queue.steps.ChildResults;
import dev.keel.queue.steps.Children;
import dev.keel.queue.steps.Compensation;
import dev.keel.queue.steps.InvalidStepException;
import dev.keel.queue.steps.SignalTimeoutException;
import dev.keel.queue.steps.StepAction;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepLimits;
import dev.keel.queue.steps.StepResultTooLargeException;
import dev.keel.queue.steps.StepState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable steps of one attempt of one job: loads the job's step records on first use, returns
 * stored results instead of running completed blocks, writes each new record fenced by the lease,
 * records suspensions for the engine to apply, and runs compensations in reverse order when the job
 * fails for good or is cancelled. Used only on the handler's thread.
 */
public final class StepRunner {
  private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

  static final String CANCEL_SIGNAL = SignalRequest.CONTROL_PREFIX + "cancel";
  static final String COMPENSATE_SIGNAL = SignalRequest.CONTROL_PREFIX + "compensate";
  static final String FAIL = "FAIL";
  static final String CANCEL = "CANCEL";

  /** How often a parent waiting for its children looks at their batch if no wake-up came. */
  static final Duration CHILDREN_POLL = Duration.ofMinutes(5);

  private final QueueBackend backend;
  private final dev.keel.queue.JobClient client;
  private final ObjectMapper mapper;
  private final InstantSource clock;
  private final RunningJob rj;

  private Map<String, StoredStep> stored;
  private Map<String, StoredSignal> signals;
  private final Map<String, StepRecord> records = new HashMap<>();
  private final Set<String> used = new HashSet<>();
  private int nextSeq;
  private final List<Registered> compensations = new ArrayList<>();

  private boolean compensating;
  private String sagaOutcome;
  private String sagaReason;
  private SuspendRequest suspension;
  private boolean stopped;

  private record Registered(String name, Compensation<Object> compensation, Object result) {}

  StepRunner(
      QueueBackend backend,
      dev.keel.queue.JobClient client,
      ObjectMapper mapper,
      InstantSource clock,
      RunningJob rj) {
    this.backend = backend;
    this.client = client;
    this.mapper = mapper;
    this.clock = clock;
    this.rj = rj;
  }

  // ---- What the engine reads after the handler ------------------------------------------------

  /** Non-null if the handler asked to suspend (sleep, signal wait). */
  SuspendRequest suspension() {
    return suspension;
  }

  /** True if a replay in compensation mode stopped the handler: compensate now. */
  boolean compensating() {
    return compensating;
  }

  /** True if the lease was lost during a step write. */
  boolean stopped() {
    return stopped;
  }

  /**
   * Whether the job has completed steps with compensations, so a final failure compensates. Reads
   * the job's steps if this run never touched one (one round trip, on final failures only).
   */
  boolean needsCompensation() {
    if (!compensations.isEmpty()) {
      return true;
    }
    if (!loaded()) {
      if (!backend.capabilities().steps()) {
        return false;
      }
      load();
    }
    return hasUnregisteredCompensations();
  }

  String sagaOutcome() {
    return sagaOutcome;
  }

  String sagaReason() {
    return sagaReason;
  }

  // ---- The handler's calls ----------------------------------------------------------------

  @SuppressWarnings("unchecked")
  <R> R step(String name, Class<R> type, StepAction<R> action, Compensation<R> compensation) {
    checkName(name, "step");
    java.util.Objects.requireNonNull(type, "type");
    java.util.Objects.requireNonNull(action, "action");
    StepRecord rec = begin(name);
    boolean undone =
        rec != null
            && !compensating
            && (rec.state() == StepState.COMPENSATED
                || rec.state() == StepState.COMPENSATION_FAILED);
    if (rec != null && rec.state().isDone() && rec.kind() == StepKind.STEP && !undone) {
      R result = read(rec.result(), type, name);
      if (compensation != null && rec.compensable()) {
        compensations.add(new Registered(name, (Compensation<Object>) compensation, result));
      }
      return result;
    }
    stopIfCompensating(name);
    Instant started = clock.instant();
    R result;
    try {
      result = action.run();
    } catch (StepControl e) {
      throw e;
    } catch (Exception e) {
      try {
        StepWriteResult failed =
            doWrite(
                name,
                new StepRecord(
                    StepKind.STEP,
                    StepState.FAILED,
                    null,
                    rj.job().attempt(),
                    started.toString(),
                    clock.instant().toString(),
                    JobError.of(e).message(),
                    compensation != null,
                    0,
                    null,
                    null));
        if (!failed.applied()) {
          stopped = true;
          rj.requestStop(StopReason.LEASE_LOST);
        }
      } catch (RuntimeException writeError) {
        // The block's own failure is what the job reports; the record of it is best effort.
        e.addSuppressed(writeError);
      }
      throw sneaky(e);
    }
    JsonNode json = toJson(result, name);
    StepWriteResult w =
        write(
            name,
            new StepRecord(
                StepKind.STEP,
                StepState.COMPLETED,
                json,
                rj.job().attempt(),
                started.toString(),
                clock.instant().toString(),
                null,
                compensation != null,
                0,
                null,
                null));
    if (compensation != null) {
      // The compensation gets the result as stored, exactly as a replay would.
      compensations.add(
          new Registered(name, (Compensation<Object>) compensation, read(json, type, name)));
    }
    onControlSignals(w);
    return result;
  }

  void sleep(String name, Duration duration) {
    checkName(name, "sleep");
    checkDuration(duration, "duration");
    StepRecord rec = begin(name);
    if (rec != null && rec.state() == StepState.COMPLETED) {
      return;
    }
    stopIfCompensating(name);
    Instant now = clock.instant();
    if (rec != null && rec.state() == StepState.SLEEPING) {
      Duration left = Duration.between(now, Instant.parse(rec.until()));
      if (left.toMillis() <= 0) {
        write(name, finished(rec, StepState.COMPLETED, null, now));
        return;
      }
      suspend(left, "");
    }
    write(
        name,
        new StepRecord(
            StepKind.SLEEP,
            StepState.SLEEPING,
            null,
            rj.job().attempt(),
            now.toString(),
            null,
            null,
            false,
            0,
            now.plus(duration).toString(),
            null));
    suspend(duration, "");
  }

  <S> S awaitSignal(String name, Class<S> type, Duration timeout) {
    checkName(name, "awaitSignal");
    checkDuration(timeout, "timeout");
    java.util.Objects.requireNonNull(type, "type");
    StepRecord rec = begin(name);
    if (rec != null && rec.state() == StepState.COMPLETED) {
      return read(rec.result(), type, name);
    }
    if (rec != null && rec.state() == StepState.TIMED_OUT) {
      throw new SignalTimeoutException(name, timeout);
    }
    stopIfCompensating(name);
    Instant now = clock.instant();
    StoredSignal signal = signals.get(name);
    StepRecord waiting =
        rec != null
            ? rec
            : new StepRecord(
                StepKind.SIGNAL,
                StepState.WAITING,
                null,
                rj.job().attempt(),
                now.toString(),
                null,
                null,
                false,
                0,
                now.plus(timeout).toString(),
                null);
    if (signal != null) {
      JsonNode payload = parse(signal.payload(), name);
      StepRecord done =
          new StepRecord(
              StepKind.SIGNAL,
              StepState.COMPLETED,
              payload,
              rj.job().attempt(),
              waiting.startedAt(),
              now.toString(),
              null,
              false,
              0,
              waiting.until(),
              null);
      onControlSignals(write(name, done));
      return read(payload, type, name);
    }
    Duration left = Duration.between(now, Instant.parse(waiting.until()));
    if (left.toMillis() <= 0) {
      write(name, finished(waiting, StepState.TIMED_OUT, "no signal within " + timeout, now));
      throw new SignalTimeoutException(name, timeout);
    }
    if (rec == null) {
      write(name, waiting);
    }
    suspend(left, name);
    throw new IllegalStateException("unreachable");
  }

  // ---- Child jobs -----------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  <R> ChildResults<R> children(
      String name, Children spec, Class<R> type, Compensation<ChildResults<R>> compensation) {
    checkName(name, "children");
    java.util.Objects.requireNonNull(type, "resultType");
    if (client == null || !backend.capabilities().coordination()) {
      throw new InvalidStepException(
          "children", "needs a backend with batches (BackendCapabilities.coordination)");
    }
    StepRecord rec = begin(name);
    if (rec != null && rec.kind() != StepKind.CHILDREN) {
      throw new InvalidStepException(
          "name", "'" + name + "' is stored as a " + rec.kind() + " record, not a children step");
    }
    if (rec != null && rec.state().isDone()) {
      // Children are never enqueued twice, also not after their compensation ran.
      ChildResults<R> stored = decodeChildren(rec.result(), type, name);
      if (compensation != null && rec.compensable()) {
        compensations.add(
            new Registered(name, (Compensation<Object>) (Compensation<?>) compensation, stored));
      }
      return stored;
    }
    stopIfCompensating(name);
    Job job = rj.job();
    if (rec != null && rec.state() == StepState.WAITING) {
      UUID batch = UUID.fromString(rec.result().get("batch").asText());
      Optional<BatchStatus> status = client.batch(job.tenant(), batch);
      if (status.isPresent()) {
        if (status.get().state() == BatchState.COMPLETED) {
          ChildResults<R> done = collect(name, rec, batch, type, compensation != null);
          if (compensation != null) {
            compensations.add(
                new Registered(name, (Compensation<Object>) (Compensation<?>) compensation, done));
          }
          onControlSignals(lastWrite);
          return done;
        }
        suspend(CHILDREN_POLL, ChildJobs.SIGNAL_PREFIX + name);
      }
      // The run that stored the record stopped before the batch was written: enqueue it now.
      log.info(
          "Job {} ({}): children batch {} of step '{}' was never written; enqueueing it again",
          job.id(),
          job.type(),
          batch,
          name);
    }
    List<JobRequest<?>> jobs = childRequests(spec, job);
    BatchRequest request =
        BatchRequest.of(jobs)
            .withMaxRunning(spec.maxRunning())
            .onComplete(
                JobRequest.of(ChildJobs.TYPE, new ChildJobs.Done(job.id(), name))
                    .withTenant(job.tenant())
                    .withQueue(job.queue()));
    Instant now = clock.instant();
    try {
      client.enqueueBatch(
          request,
          prepared -> {
            // The record names the batch before the batch exists: a run that stops in between
            // finds no batch under that id and enqueues again, and never enqueues twice.
            ObjectNode body = mapper.createObjectNode();
            body.put("batch", prepared.batches().get(0).id().toString());
            ArrayNode ids = body.putArray("ids");
            for (int i = 0; i < jobs.size(); i++) {
              ids.add(prepared.jobs().get(i).id().toString());
            }
            write(
                name,
                new StepRecord(
                    StepKind.CHILDREN,
                    StepState.WAITING,
                    body,
                    job.attempt(),
                    now.toString(),
                    null,
                    null,
                    false,
                    0,
                    null,
                    null));
            return backend.enqueue(prepared);
          });
    } catch (dev.keel.queue.InvalidJobException e) {
      String field = e.field() == null ? "children" : e.field().replaceFirst("^jobs", "children");
      throw new InvalidStepException(
          field.startsWith("children") ? field : "children." + field, e.rule());
    }
    suspend(CHILDREN_POLL, ChildJobs.SIGNAL_PREFIX + name);
    throw new IllegalStateException("unreachable");
  }

  /** The requests as they are enqueued: in the parent's tenant and (by default) queue. */
  private static List<JobRequest<?>> childRequests(Children spec, Job parent) {
    if (spec == null) {
      throw new InvalidStepException("children", "must not be null");
    }
    List<JobRequest<?>> jobs = spec.jobs();
    if (jobs == null || jobs.isEmpty()) {
      throw new InvalidStepException("children", "needs at least one job");
    }
    if (jobs.size() > StepLimits.MAX_CHILDREN) {
      throw new InvalidStepException(
          "children", "at most " + StepLimits.MAX_CHILDREN + " jobs, was " + jobs.size());
    }
    List<JobRequest<?>> out = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      JobRequest<?> r = jobs.get(i);
      String field = "children[" + i + "]";
      if (r == null) {
        throw new InvalidStepException(field, "must not be null");
      }
      if (r.idempotencyKey() != null) {
        throw new InvalidStepException(
            field + ".idempotencyKey",
            "must not be set: the children step itself enqueues its children once");
      }
      if (r.tenant() != null && !r.tenant().equals(parent.tenant())) {
        throw new InvalidStepException(
            field + ".tenant",
            "must be the parent's tenant '" + parent.tenant() + "', was '" + r.tenant() + "'");
      }
      JobRequest<?> c = r.withTenant(parent.tenant());
      out.add(r.queue() == null ? c.withQueue(parent.queue()) : c);
    }
    return out;
  }

  /** Reads how every child ended, stores it as the step's result and returns it. */
  private <R> ChildResults<R> collect(
      String name, StepRecord rec, UUID batch, Class<R> type, boolean compensable) {
    Job job = rj.job();
    ObjectNode body = mapper.createObjectNode();
    body.put("batch", batch.toString());
    ArrayNode out = body.putArray("children");
    for (JsonNode idNode : rec.result().get("ids")) {
      UUID id = UUID.fromString(idNode.asText());
      ObjectNode c = out.addObject();
      c.put("id", id.toString());
      Optional<Job> child = backend.find(new JobRef(job.tenant(), id));
      if (child.isEmpty()) {
        c.put("error", "job no longer exists");
        continue;
      }
      Job j = child.get();
      c.put("type", j.type());
      c.put("state", j.state().name());
      if (j.state() == dev.keel.queue.JobState.SUCCEEDED) {
        JsonNode result = storedResult(job.tenant(), id);
        if (result != null) {
          c.set("result", result);
        }
      } else if (j.lastError() != null) {
        c.put("error", j.lastError().message());
      }
    }
    int size = body.toString().getBytes(StandardCharsets.UTF_8).length;
    if (size > StepLimits.MAX_CHILDREN_RESULTS_BYTES) {
      throw new StepResultTooLargeException(
          "results of children step '" + name + "'", size, StepLimits.MAX_CHILDREN_RESULTS_BYTES);
    }
    Instant now = clock.instant();
    StepRecord done =
        new StepRecord(
            StepKind.CHILDREN,
            StepState.COMPLETED,
            body,
            job.attempt(),
            rec.startedAt(),
            now.toString(),
            null,
            compensable,
            0,
            null,
            null);
    lastWrite = write(name, done);
    return decodeChildren(body, type, name);
  }

  private <R> ChildResults<R> decodeChildren(JsonNode body, Class<R> type, String name) {
    List<ChildResult<R>> list = new ArrayList<>();
    for (JsonNode c : body.get("children")) {
      list.add(
          new ChildResult<>(
              UUID.fromString(c.get("id").asText()),
              c.hasNonNull("type") ? c.get("type").asText() : null,
              c.hasNonNull("state")
                  ? dev.keel.queue.JobState.valueOf(c.get("state").asText())
                  : null,
              read(c.get("result"), type, name),
              c.hasNonNull("error") ? c.get("error").asText() : null));
    }
    return new ChildResults<>(UUID.fromString(body.get("batch").asText()), list);
  }

  /** The result a job stored with {@code JobOutcome.success(result)}; null if none. */
  private JsonNode storedResult(String tenant, UUID id) {
    return backend
        .loadSteps(new JobRef(tenant, id))
        .map(steps -> StepReports.result(mapper, steps))
        .orElse(null);
  }

  /**
   * Stores what the handler returned with {@code JobOutcome.success(result)}, fenced by the lease;
   * false if the lease was lost. Writes without loading the job's other records.
   */
  boolean storeResult(Object result) {
    if (!backend.capabilities().steps()) {
      throw new InvalidStepException(
          "result",
          "JobOutcome.success(result) needs a backend with durable steps"
              + " (BackendCapabilities.steps)");
    }
    JsonNode json = toJson(result, null);
    Instant now = clock.instant();
    StepRecord rec =
        new StepRecord(
            StepKind.STEP,
            StepState.COMPLETED,
            json,
            rj.job().attempt(),
            now.toString(),
            now.toString(),
            null,
            false,
            0,
            null,
            null);
    if (!loaded()) {
      // Its seq sorts after every other record; the order of records is only for people.
      return send(StepRecord.RESULT, RESULT_SEQ, body(StepRecord.RESULT, rec)).applied();
    }
    return writeQuietly(StepRecord.RESULT, rec);
  }

  private static final int RESULT_SEQ = Integer.MAX_VALUE;

  /** The answer to the children step's last record write, for its control signals. */
  private StepWriteResult lastWrite;

  /** Whether a children step is still waiting for its batch. */
  private boolean hasOpenChildren() {
    if (client == null) {
      return false;
    }
    for (StepRecord r : records.values()) {
      if (r.kind() == StepKind.CHILDREN && r.state() == StepState.WAITING) {
        return true;
      }
    }
    return false;
  }

  /** Cancels the batches of children steps still waiting; errors are logged, not thrown. */
  private void cancelOpenChildren() {
    for (Map.Entry<String, StepRecord> e : records.entrySet()) {
      StepRecord r = e.getValue();
      if (r.kind() != StepKind.CHILDREN || r.state() != StepState.WAITING || client == null) {
        continue;
      }
      UUID batch = UUID.fromString(r.result().get("batch").asText());
      try {
        int n = client.cancelBatch(rj.job().tenant(), batch);
        log.info(
            "Job {} ({}): compensating, so cancelled {} pending child job(s) of step '{}'",
            rj.job().id(),
            rj.job().type(),
            n,
            e.getKey());
      } catch (RuntimeException ex) {
        log.warn(
            "Job {} ({}): could not cancel the children batch {} of step '{}'; they run on",
            rj.job().id(),
            rj.job().type(),
            batch,
            e.getKey(),
            ex);
      }
    }
  }

  // ---- Compensation -------------------------------------------------------------------------

  /**
   * Runs the compensations still to run, newest step first, then answers how the job leaves this
   * attempt: done when every compensation returned or gave up (the caller finishes the job FAILED
   * or CANCELLED), again when one threw and will be tried again, or lost with the lease.
   */
  SagaProgress compensate(
      String outcome, String reason, java.util.function.IntFunction<Duration> retryDelay) {
    if (!loaded()) {
      load();
    }
    if (!replayedForCompensation && hasUnregisteredCompensations()) {
      // This run did not pass every completed step (it failed before reaching them): store the
      // marker and run again at once, so a compensation-mode replay registers their compensations.
      sagaOutcome = outcome;
      sagaReason = reason;
      if (!writeQuietly(StepRecord.SAGA, sagaMarker(StepState.COMPENSATING))) {
        return SagaProgress.LOST;
      }
      return SagaProgress.again(Duration.ZERO);
    }
    sagaOutcome = outcome;
    sagaReason = reason;
    StepRecord marker = records.get(StepRecord.SAGA);
    boolean openChildren = hasOpenChildren();
    if (marker == null || marker.state() != StepState.COMPENSATING || openChildren) {
      // Fenced: a worker whose lease was taken over stops here, before it cancels a children batch
      // that the live attempt may be waiting on (the marker is written again for that reason).
      if (!writeQuietly(StepRecord.SAGA, sagaMarker(StepState.COMPENSATING))) {
        return SagaProgress.LOST;
      }
    }
    if (openChildren) {
      cancelOpenChildren();
    }
    // Newest first: the handler passes its steps in the order they completed.
    List<Registered> order = new ArrayList<>(compensations);
    java.util.Collections.reverse(order);
    Set<String> reached = new HashSet<>();
    int failed = 0;
    int compensated = 0;
    for (Registered c : order) {
      if (rj.stopReason() == StopReason.LEASE_LOST) {
        stopped = true;
        return SagaProgress.LOST;
      }
      reached.add(c.name());
      StepRecord rec = records.get(c.name());
      if (rec.state() == StepState.COMPENSATED) {
        compensated++;
        continue;
      }
      if (rec.state() == StepState.COMPENSATION_FAILED) {
        failed++;
        continue;
      }
      int attempts = rec.compensationAttempts() + 1;
      try {
        c.compensation().compensate(c.result());
      } catch (Exception e) {
        String error = JobError.of(e).message();
        if (attempts < StepLimits.COMPENSATION_ATTEMPTS) {
          log.warn(
              "Job {} ({}): compensation of step '{}' failed (try {} of {}); retrying in {}",
              rj.job().id(),
              rj.job().type(),
              c.name(),
              attempts,
              StepLimits.COMPENSATION_ATTEMPTS,
              retryDelay.apply(attempts),
              e);
          if (!writeQuietly(
              c.name(), rec.withCompensation(StepState.COMPENSATING, attempts, error))) {
            return SagaProgress.LOST;
          }
          return SagaProgress.again(retryDelay.apply(attempts));
        }
        log.error(
            "Job {} ({}): compensation of step '{}' failed {} times; marked COMPENSATION_FAILED",
            rj.job().id(),
            rj.job().type(),
            c.name(),
            attempts,
            e);
        failed++;
        if (!writeQuietly(
            c.name(), rec.withCompensation(StepState.COMPENSATION_FAILED, attempts, error))) {
          return SagaProgress.LOST;
        }
        continue;
      }
      if (!writeQuietly(
          c.name(), rec.withCompensation(StepState.COMPENSATED, attempts, rec.error()))) {
        return SagaProgress.LOST;
      }
      compensated++;
    }
    // A completed step whose compensation the replay never reached (the handler took another path).
    for (Map.Entry<String, StepRecord> e : new ArrayList<>(records.entrySet())) {
      StepRecord rec = e.getValue();
      if (rec.compensable()
          && !reached.contains(e.getKey())
          && (rec.state() == StepState.COMPLETED || rec.state() == StepState.COMPENSATING)) {
        log.error(
            "Job {} ({}): step '{}' has a compensation that the replay did not reach",
            rj.job().id(),
            rj.job().type(),
            e.getKey());
        failed++;
        if (!writeQuietly(
            e.getKey(),
            rec.withCompensation(
                StepState.COMPENSATION_FAILED,
                rec.compensationAttempts(),
                "compensation not reached: the handler did not pass this step when replayed"))) {
          return SagaProgress.LOST;
        }
      }
    }
    StepState end = failed == 0 ? StepState.COMPENSATED : StepState.COMPENSATION_FAILED;
    if (!writeQuietly(StepRecord.SAGA, sagaMarker(end))) {
      return SagaProgress.LOST;
    }
    lastSagaSummary =
        failed == 0
            ? "compensated " + compensated + " step(s)"
            : "compensated " + compensated + " step(s), " + failed + " compensation(s) failed";
    return SagaProgress.DONE;
  }

  /**
   * How a compensation pass left the job: its lease lost, all compensations done (finish it with
   * the saga's outcome), or to run again after {@code runAgainIn}.
   */
  record SagaProgress(boolean leaseLost, Duration runAgainIn) {
    static final SagaProgress LOST = new SagaProgress(true, null);
    static final SagaProgress DONE = new SagaProgress(false, null);

    static SagaProgress again(Duration delay) {
      return new SagaProgress(false, delay);
    }
  }

  private String lastSagaSummary;

  /** Set when this run started in compensation mode (a replay to register compensations). */
  private boolean replayedForCompensation;

  private boolean hasUnregisteredCompensations() {
    Set<String> registered = new HashSet<>();
    compensations.forEach(c -> registered.add(c.name()));
    for (Map.Entry<String, StepRecord> e : records.entrySet()) {
      StepRecord r = e.getValue();
      if (r.compensable()
          && (r.state() == StepState.COMPLETED || r.state() == StepState.COMPENSATING)
          && !registered.contains(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  String sagaSummary() {
    return lastSagaSummary;
  }

  /**
   * True if the job's saga already ended (its marker COMPENSATED or COMPENSATION_FAILED, no
   * completed step left to undo) in a run whose finish was never stored: {@link #sagaOutcome},
   * {@link #sagaReason} and {@link #sagaSummary} then tell how it ended, from the stored records.
   * Loads the steps if needed.
   */
  boolean sagaEnded() {
    if (!loaded()) {
      if (!backend.capabilities().steps()) {
        return false;
      }
      load();
    }
    StepRecord marker = records.get(StepRecord.SAGA);
    if (marker == null
        || (marker.state() != StepState.COMPENSATED
            && marker.state() != StepState.COMPENSATION_FAILED)) {
      return false;
    }
    for (StepRecord r : records.values()) {
      if (r.compensable()
          && (r.state() == StepState.COMPLETED || r.state() == StepState.COMPENSATING)) {
        // Steps completed since (a re-driven job ran them again): a new saga is to run.
        return false;
      }
    }
    sagaOutcome = marker.outcome() != null ? marker.outcome() : FAIL;
    sagaReason = marker.error();
    int compensated = 0;
    int failed = 0;
    for (Map.Entry<String, StepRecord> e : records.entrySet()) {
      if (e.getKey().equals(StepRecord.SAGA)) {
        continue;
      }
      if (e.getValue().state() == StepState.COMPENSATED) {
        compensated++;
      } else if (e.getValue().state() == StepState.COMPENSATION_FAILED) {
        failed++;
      }
    }
    lastSagaSummary =
        failed == 0
            ? "compensated " + compensated + " step(s)"
            : "compensated " + compensated + " step(s), " + failed + " compensation(s) failed";
    return true;
  }

  private StepRecord sagaMarker(StepState state) {
    return new StepRecord(
        null,
        state,
        null,
        rj.job().attempt(),
        null,
        state == StepState.COMPENSATING ? null : clock.instant().toString(),
        sagaReason,
        false,
        0,
        null,
        sagaOutcome);
  }

  // ---- Internals ------------------------------------------------------------------------------

  private boolean loaded() {
    return stored != null;
  }

  private void load() {
    Job job = rj.job();
    JobSteps steps =
        backend
            .loadSteps(new JobRef(job.tenant(), job.id()))
            .orElse(new JobSteps(List.of(), List.of()));
    stored = new LinkedHashMap<>();
    for (StoredStep s : steps.steps()) {
      stored.put(s.name(), s);
      records.put(s.name(), StepRecord.read(mapper, s));
      if (s.seq() != RESULT_SEQ) {
        // The job result's record sorts last (RESULT_SEQ); new records number on from the others.
        nextSeq = Math.max(nextSeq, s.seq() + 1);
      }
    }
    signals = new LinkedHashMap<>();
    for (StoredSignal s : steps.signals()) {
      signals.put(s.name(), s);
    }
    StepRecord marker = records.get(StepRecord.SAGA);
    if (marker != null && marker.state() == StepState.COMPENSATING) {
      enterCompensation(marker.outcome(), marker.error());
    } else if (marker == null) {
      if (signals.containsKey(CANCEL_SIGNAL)) {
        enterCompensation(CANCEL, reasonOf(signals.get(CANCEL_SIGNAL), "cancelled via client"));
      } else if (signals.containsKey(COMPENSATE_SIGNAL)) {
        enterCompensation(
            FAIL, job.lastError() != null ? job.lastError().message() : "compensation requested");
      }
    }
  }

  private void enterCompensation(String outcome, String reason) {
    replayedForCompensation = true;
    compensating = true;
    sagaOutcome = outcome;
    sagaReason = reason;
  }

  private String reasonOf(StoredSignal signal, String fallback) {
    try {
      JsonNode n = mapper.readTree(signal.payload());
      return n.hasNonNull("reason") ? n.get("reason").asText() : fallback;
    } catch (JsonProcessingException e) {
      log.warn("Job {}: unreadable control signal payload; using '{}'", rj.job().id(), fallback, e);
      return fallback;
    }
  }

  /** Checks the name is new in this run, loads on first use; the stored record, if any. */
  private StepRecord begin(String name) {
    if (!used.add(name)) {
      throw new InvalidStepException(
          "name", "step '" + name + "' was already used in this run: step names must be unique");
    }
    if (rj.stopReason() == StopReason.LEASE_LOST) {
      stopped = true;
    }
    if (stopped || suspension != null) {
      throw new StepControl("the job is already suspending or lost its lease");
    }
    if (!loaded()) {
      load();
    }
    if (!stored.containsKey(name) && records.size() >= StepLimits.MAX_STEPS) {
      throw new InvalidStepException(
          "name", "a job has at most " + StepLimits.MAX_STEPS + " step records");
    }
    return records.get(name);
  }

  private void stopIfCompensating(String name) {
    if (compensating) {
      throw new StepControl("compensating: replay stopped at step '" + name + "'");
    }
  }

  private void onControlSignals(StepWriteResult w) {
    if (compensating || w == null || w.controlSignals().isEmpty()) {
      return;
    }
    StepRecord marker = records.get(StepRecord.SAGA);
    if (marker != null) {
      return;
    }
    if (w.controlSignals().contains(CANCEL_SIGNAL)
        || w.controlSignals().contains(COMPENSATE_SIGNAL)) {
      // Re-read the signals for the reason, then unwind to compensate.
      JobSteps fresh =
          backend
              .loadSteps(new JobRef(rj.job().tenant(), rj.job().id()))
              .orElse(new JobSteps(List.of(), List.of()));
      for (StoredSignal s : fresh.signals()) {
        signals.put(s.name(), s);
      }
      if (signals.containsKey(CANCEL_SIGNAL)) {
        enterCompensation(CANCEL, reasonOf(signals.get(CANCEL_SIGNAL), "cancelled via client"));
      } else {
        enterCompensation(FAIL, "compensation requested");
      }
      throw new StepControl("a cancel or compensate request arrived");
    }
  }

  private void suspend(Duration delay, String signal) {
    suspension = new SuspendRequest(rj.lease(), delay, signal);
    throw new StepControl("suspending for " + delay);
  }

  private StepWriteResult write(String name, StepRecord rec) {
    StepWriteResult r = doWrite(name, rec);
    if (!r.applied()) {
      stopped = true;
      rj.requestStop(StopReason.LEASE_LOST);
      throw new StepControl("lease lost while storing step '" + name + "'");
    }
    return r;
  }

  private boolean writeQuietly(String name, StepRecord rec) {
    boolean applied = doWrite(name, rec).applied();
    if (!applied) {
      stopped = true;
      rj.requestStop(StopReason.LEASE_LOST);
    }
    return applied;
  }

  private StepWriteResult doWrite(String name, StepRecord rec) {
    String body = body(name, rec);
    StoredStep old = stored.get(name);
    int seq = old != null ? old.seq() : nextSeq++;
    StepWriteResult r = send(name, seq, body);
    if (r.applied()) {
      stored.put(name, new StoredStep(name, seq, body, clock.instant()));
      records.put(name, rec);
    }
    return r;
  }

  private String body(String name, StepRecord rec) {
    try {
      return mapper.writeValueAsString(rec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("step record of '" + name + "' cannot be written", e);
    }
  }

  private StepWriteResult send(String name, int seq, String body) {
    // A timeout's interrupt must not make the write of a block that already returned fail (a
    // driver may refuse to work on an interrupted thread): the flag is put back afterwards.
    boolean interrupted = Thread.interrupted();
    StepWriteResult r;
    try {
      r = backend.saveSteps(StepWriteRequest.of(rj.lease(), new StepWrite(name, seq, body)));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return r;
  }

  private StepRecord finished(StepRecord rec, StepState state, String error, Instant now) {
    return new StepRecord(
        rec.kind(),
        state,
        rec.result(),
        rj.job().attempt(),
        rec.startedAt(),
        now.toString(),
        error,
        rec.compensable(),
        rec.compensationAttempts(),
        rec.until(),
        null);
  }

  /** A step's result as JSON, checked against the size limit; {@code step} null for a job's. */
  private JsonNode toJson(Object result, String step) {
    JsonNode node;
    try {
      node = mapper.valueToTree(result);
    } catch (IllegalArgumentException e) {
      throw new InvalidStepException(
          "result",
          (step == null ? "" : "of step '" + step + "' ")
              + "cannot be serialized to JSON: "
              + e.getMessage());
    }
    if (node == null) {
      node = mapper.nullNode();
    }
    int size = node.toString().getBytes(StandardCharsets.UTF_8).length;
    if (size > StepLimits.MAX_RESULT_BYTES) {
      throw new StepResultTooLargeException(
          step == null ? "result" : "result of step '" + step + "'", size);
    }
    return node;
  }

  private JsonNode parse(String json, String name) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("signal '" + name + "' payload cannot be read", e);
    }
  }

  private <R> R read(JsonNode node, Class<R> type, String name) {
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      return mapper.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new InvalidStepException(
          "type",
          "stored result of '"
              + name
              + "' cannot be read as "
              + type.getName()
              + ": "
              + e.getOriginalMessage());
    }
  }

  private static void checkName(String name, String call) {
    if (name == null || name.isBlank()) {
      throw new InvalidStepException("name", call + " name must not be blank");
    }
    if (name.length() > StepLimits.MAX_NAME_LENGTH) {
      throw new InvalidStepException(
          "name", call + " name must be at most " + StepLimits.MAX_NAME_LENGTH + " characters");
    }
    if (name.startsWith(SignalRequest.CONTROL_PREFIX)) {
      throw new InvalidStepException(
          "name",
          call + " name must not start with '" + SignalRequest.CONTROL_PREFIX + "' (reserved)");
    }
  }

  private static void checkDuration(Duration d, String field) {
    if (d == null || d.isNegative()) {
      throw new InvalidStepException(field, "must be zero or positive");
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
