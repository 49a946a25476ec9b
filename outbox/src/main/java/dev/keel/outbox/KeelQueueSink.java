package dev.keel.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.JobClient;
import dev.keel.queue.JobRequest;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.Limits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Publishes each message as a Keel job, on any backend (a PostgreSQL outbox can feed the Redis
 * backend): job type = message type (or a mapping), payload = the message's JSON, tenant = the
 * message's tenant, headers copied to job metadata, and idempotency key {@code outbox:<message id>}
 * held for a window after the job finishes, so a redelivered message (relay crash between enqueue
 * and mark-delivered) finds the job it already created instead of creating a second one.
 *
 * <pre>{@code
 * outbox.relay(KeelQueueSink.of(keel.client())).build().start();
 * }</pre>
 */
public final class KeelQueueSink implements OutboxSink {
  /** Metadata entry carrying the message id on the job. */
  public static final String MESSAGE_ID_METADATA = "outbox.message-id";

  private final JobClient client;
  private final ObjectMapper mapper;
  private final String queue;
  private final Function<RelayedMessage, String> jobType;
  private final IdempotencyPolicy idempotency;

  private KeelQueueSink(Builder b) {
    this.client = b.client;
    this.mapper = b.mapper != null ? b.mapper : new ObjectMapper();
    this.queue = b.queue;
    this.jobType = b.jobType != null ? b.jobType : RelayedMessage::type;
    this.idempotency =
        IdempotencyPolicy.window(
            b.idempotencyWindow != null ? b.idempotencyWindow : Duration.ofDays(7));
  }

  /** A sink with every option at its default. */
  public static KeelQueueSink of(JobClient client) {
    return builder(client).build();
  }

  public static Builder builder(JobClient client) {
    return new Builder(client);
  }

  /**
   * Enqueues the job.
   *
   * @return a receipt naming the job and whether it was created or already existed
   * @throws dev.keel.queue.InvalidJobException the message does not make a valid job (e.g. an
   *     oversized payload); retried and finally parked
   */
  @Override
  public SinkReceipt publish(RelayedMessage message) throws Exception {
    JsonNode payload = mapper.readTree(message.payload());
    Map<String, String> metadata = new LinkedHashMap<>(message.headers());
    if (metadata.size() < Limits.MAX_METADATA_ENTRIES) {
      metadata.put(MESSAGE_ID_METADATA, message.id().toString());
    }
    JobRequest<JsonNode> request =
        JobRequest.of(jobType.apply(message), payload)
            .withTenant(message.tenant())
            .withIdempotencyKey("outbox:" + message.id(), idempotency)
            .withMetadata(metadata);
    if (queue != null) {
      request = request.withQueue(queue);
    }
    EnqueueResult r = client.enqueue(request);
    return SinkReceipt.of(
        "job " + r.id() + (r.created() ? " created" : " existed") + " " + r.state());
  }

  /** Configures a {@link KeelQueueSink}; each option once. */
  public static final class Builder {
    private final JobClient client;
    private ObjectMapper mapper;
    private String queue;
    private Function<RelayedMessage, String> jobType;
    private Duration idempotencyWindow;

    private Builder(JobClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException(
            "keelQueueSink." + name + " was already set to " + current);
      }
    }

    /** The queue of the jobs (default: Keel's default queue). */
    public Builder queue(String queue) {
      once(this.queue, "queue");
      this.queue = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /** Maps a message to its job type (default: the message type). */
    public Builder jobType(Function<RelayedMessage, String> jobType) {
      once(this.jobType, "jobType");
      this.jobType = Objects.requireNonNull(jobType, "jobType");
      return this;
    }

    /**
     * How long after the job finished a redelivery still finds it (default 7 days): keep it above
     * the relay's lease plus its longest retry delay.
     */
    public Builder idempotencyWindow(Duration window) {
      once(this.idempotencyWindow, "idempotencyWindow");
      if (window == null || window.isNegative() || window.isZero()) {
        throw new KeelConfigurationException(
            "keelQueueSink.idempotencyWindow must be positive, was " + window);
      }
      this.idempotencyWindow = window;
      return this;
    }

    public Builder objectMapper(ObjectMapper mapper) {
      once(this.mapper, "objectMapper");
      this.mapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    public KeelQueueSink build() {
      return new KeelQueueSink(this);
    }
  }
}
