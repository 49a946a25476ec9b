package dev.keel.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keel.queue.internal.BlockedJobs;
import dev.keel.queue.internal.CanonicalJson;
import dev.keel.queue.internal.JobPreparer;
import dev.keel.queue.internal.Listeners;
import dev.keel.queue.internal.StepReports;
import dev.keel.queue.spi.BatchCancelResult;
import dev.keel.queue.spi.BatchRef;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewBatch;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.StoredBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What application code (a web request, a scheduler) uses to create and inspect jobs. Needs no
 * worker. Thread-safe. Obtain it from {@link Keel#client()}.
 *
 * <p>Every method validates its input first and throws {@link InvalidJobException} naming the field
 * before anything is written; backend failures surface as {@link BackendUnavailableException}.
 */
public final class JobClient {
  private final QueueBackend backend;
  private final JobPreparer preparer;
  private final CanonicalJson json;
  private final Listeners listeners;
  private static final Logger log = LoggerFactory.getLogger(JobClient.class);

  private final BlockedJobs blocked;

  JobClient(
      QueueBackend backend,
      JobPreparer preparer,
      CanonicalJson json,
      Listeners listeners,
      BlockedJobs blocked) {
    this.blocked = blocked;
    this.backend = backend;
    this.preparer = preparer;
    this.json = json;
    this.listeners = listeners;
  }

  /**
   * Enqueue one job.
   *
   * @return the new job's id and {@code created = true}, or the existing job holding the
   *     idempotency key and {@code created = false}
   * @throws InvalidJobException a field breaks a rule; nothing was written
   * @throws IdempotencyConflictException the key is held by a job with a different payload
   */
  public EnqueueResult enqueue(JobRequest<?> request) {
    return enqueue(request, backend::enqueue);
  }

  /**
   * Enqueue one job through {@code writer}, which stores the prepared jobs: for backends that
   * enqueue inside the caller's own transaction, e.g. {@code batch -> postgres.enqueue(connection,
   * batch)}. Unlike {@link #prepare}, listeners hear of the job and trace spans end once the writer
   * returned, as for {@link #enqueue(JobRequest)}; a rolled-back transaction does not unsay that.
   */
  public EnqueueResult enqueue(
      JobRequest<?> request, Function<EnqueueRequest, EnqueueResponse> writer) {
    Objects.requireNonNull(writer, "writer");
    List<TracePropagator.Send> sends = new ArrayList<>(1);
    NewJob job;
    try {
      job = applyBatchCaps(List.of(preparer.prepare(request, sends)), "job").get(0);
    } catch (RuntimeException e) {
      endAll(sends, e);
      throw e;
    }
    return write(EnqueueRequest.of(job), sends, writer).get(0);
  }

  /**
   * Enqueue several jobs atomically, in one round trip where the backend allows: all are written or
   * none. At most {@link Limits#MAX_BATCH_SIZE} at once.
   *
   * @return one result per request, in order
   * @throws InvalidJobException naming the element, e.g. {@code jobs[3].type}; nothing was written
   */
  public List<EnqueueResult> enqueueAll(List<? extends JobRequest<?>> requests) {
    return enqueueAll(requests, backend::enqueue);
  }

  /**
   * {@link #enqueueAll(List)} through {@code writer}; see {@link #enqueue(JobRequest, Function)}.
   */
  public List<EnqueueResult> enqueueAll(
      List<? extends JobRequest<?>> requests, Function<EnqueueRequest, EnqueueResponse> writer) {
    Objects.requireNonNull(writer, "writer");
    List<TracePropagator.Send> sends = new ArrayList<>(requests == null ? 0 : requests.size());
    EnqueueRequest batch = prepareAll(requests, sends);
    if (batch.jobs().isEmpty()) {
      return List.of();
    }
    return write(batch, sends, writer);
  }

  private List<EnqueueResult> write(
      EnqueueRequest batch,
      List<TracePropagator.Send> sends,
      Function<EnqueueRequest, EnqueueResponse> writer) {
    EnqueueResponse response;
    try {
      response = writer.apply(batch);
    } catch (RuntimeException | Error e) {
      endAll(sends, e);
      throw e;
    }
    endAll(sends, null);
    for (int i = 0; i < batch.jobs().size(); i++) {
      NewJob job = batch.jobs().get(i);
      listeners.fire(new JobEvent.Enqueued(job.type(), job.tenant(), response.results().get(i)));
    }
    return response.results();
  }

  /**
   * Validates and serializes a request without writing it: for backends that enqueue inside the
   * caller's own transaction (for example {@code PostgresBackend.enqueue(handle, ...)}).
   */
  public NewJob prepare(JobRequest<?> request) {
    NewJob job = preparer.prepare(request);
    return applyBatchCaps(List.of(job), "job").get(0);
  }

  /** {@link #prepare} for a batch, with element-indexed field names in errors. */
  public EnqueueRequest prepareAll(List<? extends JobRequest<?>> requests) {
    List<TracePropagator.Send> sends = new ArrayList<>(requests == null ? 0 : requests.size());
    EnqueueRequest batch = prepareAll(requests, sends);
    endAll(sends, null);
    return batch;
  }

  /** Ends every trace send of one enqueue; a hook that throws does not stop the others. */
  private static void endAll(List<TracePropagator.Send> sends, Throwable error) {
    for (TracePropagator.Send send : sends) {
      try {
        send.end(error);
      } catch (RuntimeException e) {
        log.warn("Trace propagator failed to end an enqueue span; ignoring it for this job", e);
      }
    }
  }

  private EnqueueRequest prepareAll(
      List<? extends JobRequest<?>> requests, List<TracePropagator.Send> sends) {
    if (requests == null) {
      throw new InvalidJobException("jobs", "must not be null");
    }
    if (requests.size() > Limits.MAX_BATCH_SIZE) {
      throw new InvalidJobException(
          "jobs", "must hold at most " + Limits.MAX_BATCH_SIZE + " jobs, was " + requests.size());
    }
    List<NewJob> jobs = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      try {
        jobs.add(preparer.prepare(requests.get(i), sends));
      } catch (InvalidJobException e) {
        endAll(sends, e);
        throw e.within("jobs[" + i + "]");
      } catch (RuntimeException e) {
        endAll(sends, e);
        throw e;
      }
    }
    try {
      checkLinks(jobs, "jobs");
      return new EnqueueRequest(applyBatchCaps(jobs, "jobs"));
    } catch (RuntimeException e) {
      endAll(sends, e);
      throw e;
    }
  }

  /**
   * Ids are unique within a request, and its dependencies form no cycle. Dependencies on jobs
   * outside the request cannot close a cycle: those jobs existed before any job of this request.
   */
  private static void checkLinks(List<NewJob> jobs, String field) {
    Map<UUID, Integer> index = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      Integer before = index.putIfAbsent(jobs.get(i).id(), i);
      if (before != null) {
        throw new InvalidJobException(
            field + "[" + i + "].id", "is also the id of " + field + "[" + before + "]");
      }
    }
    Set<UUID> callbacks = new HashSet<>();
    for (NewJob j : jobs) {
      if (j.links().callbackOf() != null) {
        callbacks.add(j.id());
      }
    }
    for (int i = 0; i < jobs.size(); i++) {
      NewJob j = jobs.get(i);
      List<UUID> deps = j.links().dependsOn();
      for (int k = 0; k < deps.size(); k++) {
        Integer d = index.get(deps.get(k));
        if (d == null) {
          continue;
        }
        if (!jobs.get(d).tenant().equals(j.tenant())) {
          throw new InvalidJobException(
              field + "[" + i + "].dependsOn[" + k + "]",
              "names "
                  + field
                  + "["
                  + d
                  + "] of tenant '"
                  + jobs.get(d).tenant()
                  + "'; a job can depend only on jobs of its own tenant");
        }
        if (j.links().batchId() != null
            && callbacks.contains(deps.get(k))
            && j.links().batchId().equals(jobs.get(d).links().callbackOf())) {
          throw new InvalidJobException(
              field + "[" + i + "].dependsOn[" + k + "]",
              "names a callback of the job's own batch, which waits for every member: a cycle");
        }
      }
    }
    // Depth-first search over the edges inside the request; 0 new, 1 on the path, 2 done.
    int[] mark = new int[jobs.size()];
    for (int start = 0; start < jobs.size(); start++) {
      if (mark[start] != 0 || jobs.get(start).links().dependsOn().isEmpty()) {
        continue;
      }
      Deque<int[]> stack = new ArrayDeque<>();
      stack.push(new int[] {start, 0});
      mark[start] = 1;
      while (!stack.isEmpty()) {
        int[] top = stack.peek();
        List<UUID> deps = jobs.get(top[0]).links().dependsOn();
        if (top[1] == deps.size()) {
          mark[top[0]] = 2;
          stack.pop();
          continue;
        }
        Integer next = index.get(deps.get(top[1]++));
        if (next == null || mark[next] == 2) {
          continue;
        }
        if (mark[next] == 1) {
          List<String> cycle = new ArrayList<>();
          List<int[]> path = new ArrayList<>(stack);
          java.util.Collections.reverse(path);
          boolean on = false;
          for (int[] p : path) {
            on |= p[0] == next;
            if (on) {
              cycle.add(field + "[" + p[0] + "]");
            }
          }
          cycle.add(field + "[" + next + "]");
          throw new InvalidJobException(
              field + "[" + top[0] + "].dependsOn",
              "closes a dependency cycle: "
                  + String.join(" -> ", cycle)
                  + " (each waits for the next)");
        }
        mark[next] = 1;
        stack.push(new int[] {next, 0});
      }
    }
  }

  /** Jobs joining an existing batch get its cap, read from the backend (one read per batch). */
  private List<NewJob> applyBatchCaps(List<NewJob> jobs, String field) {
    Map<UUID, StoredBatch> seen = new HashMap<>();
    List<NewJob> out = null;
    for (int i = 0; i < jobs.size(); i++) {
      NewJob j = jobs.get(i);
      UUID batchId = j.links().batchId();
      if (batchId == null) {
        continue;
      }
      StoredBatch b = seen.get(batchId);
      int index = i;
      if (b == null) {
        b =
            backend
                .findBatch(new BatchRef(j.tenant(), batchId))
                .orElseThrow(
                    () ->
                        new InvalidJobException(
                            field + "[" + index + "].batchId",
                            "names no batch " + batchId + " in tenant " + j.tenant()));
        seen.put(batchId, b);
      }
      if (b.completedAt() != null) {
        throw new InvalidJobException(
            field + "[" + i + "].batchId",
            "names batch "
                + batchId
                + ", which is already complete; a job can join a batch only"
                + " while one of its members is still pending or running");
      }
      if (b.cancelledAt() != null) {
        throw new InvalidJobException(
            field + "[" + i + "].batchId",
            "names batch " + batchId + ", which was cancelled at " + b.cancelledAt());
      }
      for (UUID dep : j.links().dependsOn()) {
        if (dep.equals(b.onSuccessJob()) || dep.equals(b.onCompleteJob())) {
          throw new InvalidJobException(
              field + "[" + i + "].dependsOn",
              "names a callback of batch "
                  + batchId
                  + ", which the job joins: the callback waits for every member, a cycle");
        }
      }
      if (b.maxRunning() > 0) {
        if (j.concurrencyKey() != null) {
          throw new InvalidJobException(
              field + "[" + i + "].concurrencyKey",
              "must not be set for a job joining batch "
                  + batchId
                  + ", whose maxRunning caps its members with a key of its own");
        }
        if (out == null) {
          out = new ArrayList<>(jobs);
        }
        out.set(i, j.withConcurrency(NewBatch.capKey(batchId), b.maxRunning()));
      }
    }
    return out == null ? jobs : out;
  }

  /** The job in the default tenant. */
  public Optional<Job> find(UUID id) {
    return find(JobPreparer.DEFAULT_TENANT, id);
  }

  /**
   * The job with this id in this tenant; empty if none (including: it belongs to another tenant).
   */
  public Optional<Job> find(String tenant, UUID id) {
    return backend.find(ref(tenant, id));
  }

  /** One page of a tenant's jobs, oldest first. */
  public JobPage list(JobQuery query) {
    if (query == null) {
      throw new InvalidJobException("query", "must not be null");
    }
    JobPreparer.name("tenant", query.tenant());
    if (query.type() != null) {
      JobPreparer.name("type", query.type());
    }
    if (query.queue() != null) {
      JobPreparer.name("queue", query.queue());
    }
    return backend.list(query);
  }

  /**
   * Cancel a PENDING or RUNNING job. A running handler is interrupted when its worker next
   * heartbeats, and its result is discarded. A job with completed steps that declared compensations
   * is instead asked to cancel (a stored control signal): it wakes if suspended, runs its
   * compensations at its next step or run, then ends CANCELLED; {@code changed} then means the
   * request was stored.
   *
   * @return the job after the call, and whether this call cancelled it (false if it had already
   *     finished); empty job if not found
   */
  public ChangeResult cancel(String tenant, UUID id) {
    Optional<dev.keel.queue.spi.JobSteps> steps = Optional.empty();
    if (backend.capabilities().steps()) {
      // A job with completed steps to undo is asked to cancel: it compensates, then ends CANCELLED.
      Optional<Job> current = backend.find(ref(tenant, id));
      steps =
          current.isPresent() && current.get().state().isActive()
              ? backend.loadSteps(ref(tenant, id))
              : Optional.empty();
      if (steps.isPresent() && StepReports.hasPendingCompensation(json.mapper(), steps.get())) {
        dev.keel.queue.spi.SignalResult s =
            backend.signal(
                new dev.keel.queue.spi.SignalRequest(
                    ref(tenant, id),
                    dev.keel.queue.spi.SignalRequest.CONTROL_PREFIX + "cancel",
                    "{\"reason\":\"cancelled via client\"}"));
        if (s.outcome() == dev.keel.queue.spi.SignalResult.Outcome.STORED) {
          return new ChangeResult(backend.find(ref(tenant, id)), true);
        }
        if (s.outcome() == dev.keel.queue.spi.SignalResult.Outcome.DUPLICATE) {
          return new ChangeResult(backend.find(ref(tenant, id)), false); // asked before
        }
      }
    }
    ChangeResult r = backend.cancel(new CancelRequest(ref(tenant, id), "cancelled via client"));
    if (r.changed()) {
      blocked.resolveAfter(Set.of(id), Set.of(), "a cancel");
      if (backend.capabilities().steps()) {
        // Read the steps again: a RUNNING parent may have stored a children step (and enqueued its
        // batch) after the read above and before the cancel; it can store nothing after it.
        cancelChildren(tenant, id, backend.loadSteps(ref(tenant, id)));
      }
    }
    return r;
  }

  /** A cancelled parent's children steps still waiting: their pending children are cancelled. */
  private void cancelChildren(
      String tenant, UUID parent, Optional<dev.keel.queue.spi.JobSteps> steps) {
    if (steps.isEmpty()) {
      return;
    }
    for (UUID batch : StepReports.openChildBatches(json.mapper(), steps.get())) {
      try {
        int n = cancelBatch(tenant, batch);
        log.info("Cancelled job {}: cancelled {} pending child job(s) too", parent, n);
      } catch (RuntimeException e) {
        log.warn(
            "Cancelled job {}, but could not cancel its children batch {}; they run on",
            parent,
            batch,
            e);
      }
    }
  }

  // ---- Durable steps and signals ---------------------------------------------------------------

  /**
   * Send the signal {@code name} to a job, for its {@code ctx.awaitSignal(name, ...)}. Stored
   * durably: a signal sent before the job waits is not lost; the first signal of a name wins (a
   * later one answers DUPLICATE and changes nothing). A job waiting for it is woken at once.
   *
   * @return STORED, DUPLICATE, NOT_FOUND (no such job in this tenant) or FINISHED (the job is
   *     SUCCEEDED or CANCELLED; nothing stored)
   * @throws InvalidInputException on {@code name} or {@code payload}; nothing was written
   */
  public dev.keel.queue.spi.SignalResult signal(
      String tenant, UUID id, String name, Object payload) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException("name", "must not be blank");
    }
    if (name.length() > dev.keel.queue.steps.StepLimits.MAX_NAME_LENGTH) {
      throw new InvalidInputException(
          "name",
          "must be at most " + dev.keel.queue.steps.StepLimits.MAX_NAME_LENGTH + " characters");
    }
    if (name.startsWith(dev.keel.queue.spi.SignalRequest.CONTROL_PREFIX)) {
      throw new InvalidInputException(
          "name",
          "must not start with '"
              + dev.keel.queue.spi.SignalRequest.CONTROL_PREFIX
              + "' (reserved for Keel)");
    }
    String body = json.write("payload", payload);
    int size = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (size > dev.keel.queue.steps.StepLimits.MAX_RESULT_BYTES) {
      throw new dev.keel.queue.steps.StepResultTooLargeException("payload", size);
    }
    return backend.signal(new dev.keel.queue.spi.SignalRequest(ref(tenant, id), name, body));
  }

  /**
   * A job's durable steps: each step's state, result summary, attempt and timings, its signals and
   * its saga state; empty if no such job in this tenant.
   */
  public Optional<dev.keel.queue.steps.StepReport> steps(String tenant, UUID id) {
    return backend.loadSteps(ref(tenant, id)).map(s -> StepReports.of(json.mapper(), s));
  }

  /**
   * What the job returned with {@link JobOutcome#success(Object)}, read as {@code type}; empty if
   * there is no such job in the tenant or it stored no result (yet).
   *
   * @throws InvalidInputException on {@code type} if the stored JSON cannot be read as it
   */
  public <T> Optional<T> result(String tenant, UUID id, Class<T> type) {
    Objects.requireNonNull(type, "type");
    if (!backend.capabilities().steps()) {
      return Optional.empty();
    }
    com.fasterxml.jackson.databind.JsonNode node =
        backend
            .loadSteps(ref(tenant, id))
            .map(s -> StepReports.result(json.mapper(), s))
            .orElse(null);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(json.mapper().treeToValue(node, type));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(
          "type",
          "the result of job "
              + id
              + " cannot be read as "
              + type.getName()
              + ": "
              + e.getOriginalMessage());
    }
  }

  // ---- Batches -------------------------------------------------------------------------------

  /**
   * Enqueue a batch: its members, callbacks and the batch record in one atomic write. Members run
   * like any job (capped by {@link BatchRequest#withMaxRunning}); when every member ended, the
   * batch is COMPLETED with its final counts and its callbacks are released, exactly once, however
   * many nodes finish members at the same time. A callback job can read the outcome with {@link
   * #batch} using {@code ctx.job().links().callbackOf()}.
   *
   * @throws InvalidJobException naming the field, e.g. {@code jobs[3].tenant} or {@code
   *     onSuccess.type}; nothing was written
   */
  public BatchResult enqueueBatch(BatchRequest request) {
    return enqueueBatch(request, backend::enqueue);
  }

  /** {@link #enqueueBatch(BatchRequest)} through {@code writer}, e.g. inside a transaction. */
  public BatchResult enqueueBatch(
      BatchRequest request, Function<EnqueueRequest, EnqueueResponse> writer) {
    Objects.requireNonNull(writer, "writer");
    List<TracePropagator.Send> sends = new ArrayList<>();
    EnqueueRequest prepared;
    try {
      prepared = prepareBatch(request, sends);
    } catch (RuntimeException e) {
      endAll(sends, e);
      throw e;
    }
    List<EnqueueResult> results = write(prepared, sends, writer);
    int members = request.jobs().size();
    EnqueueResult onSuccess = request.onSuccess() == null ? null : results.get(members);
    EnqueueResult onComplete =
        request.onComplete() == null
            ? null
            : results.get(members + (request.onSuccess() == null ? 0 : 1));
    return new BatchResult(
        prepared.batches().get(0).id(), results.subList(0, members), onSuccess, onComplete);
  }

  /**
   * Validates and serializes a batch without writing it, for a backend that enqueues inside the
   * caller's transaction ({@code postgres.enqueue(handle, client.prepareBatch(batch))}): the
   * request's jobs are the members in order, then the on-success and on-complete callbacks. The
   * enqueue resolves what is already decided (a batch left without members by idempotency) inside
   * that transaction.
   */
  public EnqueueRequest prepareBatch(BatchRequest request) {
    List<TracePropagator.Send> sends = new ArrayList<>();
    try {
      EnqueueRequest r = prepareBatch(request, sends);
      endAll(sends, null);
      return r;
    } catch (RuntimeException e) {
      endAll(sends, e);
      throw e;
    }
  }

  private EnqueueRequest prepareBatch(BatchRequest request, List<TracePropagator.Send> sends) {
    if (request == null) {
      throw new InvalidJobException("batch", "must not be null");
    }
    List<JobRequest<?>> members = request.jobs();
    if (members == null || members.isEmpty()) {
      throw new InvalidJobException("jobs", "a batch needs at least one job");
    }
    int callbacks = (request.onSuccess() == null ? 0 : 1) + (request.onComplete() == null ? 0 : 1);
    if (members.size() + callbacks > Limits.MAX_BATCH_SIZE) {
      throw new InvalidJobException(
          "jobs",
          "a batch holds at most "
              + (Limits.MAX_BATCH_SIZE - callbacks)
              + " jobs with its callbacks in one enqueue, was "
              + members.size()
              + "; add more with JobRequest.inBatch from a member or another enqueue");
    }
    int cap = request.maxRunning();
    if (cap < 0 || cap > Limits.MAX_CONCURRENCY_LIMIT) {
      throw new InvalidJobException(
          "maxRunning",
          "must be between 1 and "
              + Limits.MAX_CONCURRENCY_LIMIT
              + " (or 0 for no cap), was "
              + cap);
    }
    if (!backend.capabilities().coordination()) {
      throw new InvalidJobException(
          "batch", "is not supported by this backend (BackendCapabilities.coordination is false)");
    }
    UUID id = preparer.newId();
    List<NewJob> jobs = new ArrayList<>(members.size() + callbacks);
    String tenant = null;
    for (int i = 0; i < members.size(); i++) {
      String field = "jobs[" + i + "]";
      NewJob j = prepareOne(members.get(i), sends, field);
      if (j.links().batchId() != null) {
        throw new InvalidJobException(
            field + ".batchId", "must not be set: the job joins this batch");
      }
      tenant = sameTenant(tenant, j, field);
      if (cap > 0) {
        if (j.concurrencyKey() != null) {
          throw new InvalidJobException(
              field + ".concurrencyKey",
              "must not be set in a batch with maxRunning, which caps its members with a key of"
                  + " its own");
        }
        j = j.withConcurrency(NewBatch.capKey(id), cap);
      }
      jobs.add(j.withLinks(j.links().inBatch(id)));
    }
    UUID onSuccess = null;
    UUID onComplete = null;
    if (request.onSuccess() != null) {
      NewJob c = callback(request.onSuccess(), sends, "onSuccess", tenant, id, true);
      onSuccess = c.id();
      jobs.add(c);
    }
    if (request.onComplete() != null) {
      NewJob c = callback(request.onComplete(), sends, "onComplete", tenant, id, false);
      onComplete = c.id();
      jobs.add(c);
    }
    checkLinks(jobs, "jobs");
    return new EnqueueRequest(jobs, List.of(new NewBatch(id, tenant, cap, onSuccess, onComplete)));
  }

  private NewJob callback(
      JobRequest<?> r,
      List<TracePropagator.Send> sends,
      String field,
      String tenant,
      UUID batch,
      boolean onlyOnSuccess) {
    NewJob c = prepareOne(r, sends, field);
    sameTenant(tenant, c, field);
    if (!c.links().isNone()) {
      throw new InvalidJobException(
          field + (c.links().batchId() != null ? ".batchId" : ".dependsOn"),
          "must not be set: a callback waits for its batch only");
    }
    return c.withLinks(new JobLinks(null, List.of(), null, batch, onlyOnSuccess, false));
  }

  private NewJob prepareOne(JobRequest<?> r, List<TracePropagator.Send> sends, String field) {
    try {
      return preparer.prepare(r, sends);
    } catch (InvalidJobException e) {
      throw e.within(field);
    }
  }

  private static String sameTenant(String tenant, NewJob j, String field) {
    if (tenant != null && !tenant.equals(j.tenant())) {
      throw new InvalidJobException(
          field + ".tenant",
          "must be the batch's tenant '"
              + tenant
              + "' like every job of it, was '"
              + j.tenant()
              + "'");
    }
    return j.tenant();
  }

  /** The batch's progress; empty if there is no such batch in the tenant. */
  public Optional<BatchStatus> batch(String tenant, UUID id) {
    return backend.findBatch(batchRef(tenant, id)).map(JobClient::status);
  }

  /**
   * Cancel every PENDING member of the batch (running ones finish their attempt) and close it to
   * new members. The batch then completes when its running members end, and its on-success callback
   * is cancelled.
   *
   * @return how many members this call cancelled
   * @throws InvalidJobException if there is no such batch in the tenant
   */
  public int cancelBatch(String tenant, UUID id) {
    BatchRef ref = batchRef(tenant, id);
    BatchCancelResult r = backend.cancelBatch(ref);
    if (!r.found()) {
      throw new InvalidJobException("batchId", "names no batch " + id + " in tenant " + tenant);
    }
    blocked.resolveAfter(r.cancelled(), Set.of(id), "a batch cancel");
    return r.cancelled().size();
  }

  private static BatchStatus status(StoredBatch b) {
    return new BatchStatus(
        b.id(),
        b.tenant(),
        b.completedAt() == null ? BatchState.OPEN : BatchState.COMPLETED,
        b.counts(),
        b.createdAt(),
        b.completedAt(),
        b.onSuccessJob(),
        b.onCompleteJob(),
        b.maxRunning(),
        b.cancelledAt());
  }

  private static BatchRef batchRef(String tenant, UUID id) {
    JobPreparer.name("tenant", tenant);
    if (id == null) {
      throw new InvalidJobException("batchId", "must not be null");
    }
    return new BatchRef(tenant, id);
  }

  /**
   * Give a FAILED job a fresh set of attempts. Other states are left alone ({@code changed =
   * false}).
   */
  public ChangeResult retry(String tenant, UUID id) {
    return backend.redrive(new RedriveRequest(ref(tenant, id)));
  }

  /** The job's payload as {@code type}. */
  public <T> T payload(Job job, Class<T> type) {
    try {
      return json.read(job.payload(), type);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException(
          "payload", "cannot be read as " + type.getName() + ": " + e.getOriginalMessage());
    }
  }

  private static JobRef ref(String tenant, UUID id) {
    JobPreparer.name("tenant", tenant);
    if (id == null) {
      throw new InvalidJobException("id", "must not be null");
    }
    return new JobRef(tenant, id);
  }
}
