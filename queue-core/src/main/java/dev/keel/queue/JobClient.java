package dev.keel.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keel.queue.internal.CanonicalJson;
import dev.keel.queue.internal.JobPreparer;
import dev.keel.queue.internal.Listeners;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RedriveRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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

  JobClient(QueueBackend backend, JobPreparer preparer, CanonicalJson json, Listeners listeners) {
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
    NewJob job = preparer.prepare(request, sends);
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
    return preparer.prepare(request);
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
    return new EnqueueRequest(jobs);
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
   * heartbeats, and its result is discarded.
   *
   * @return the job after the call, and whether this call cancelled it (false if it had already
   *     finished); empty job if not found
   */
  public ChangeResult cancel(String tenant, UUID id) {
    return backend.cancel(new CancelRequest(ref(tenant, id), "cancelled via client"));
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
