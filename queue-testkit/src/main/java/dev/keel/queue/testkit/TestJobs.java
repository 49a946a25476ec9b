package dev.keel.queue.testkit;

import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.JobLinks;
import dev.keel.queue.internal.JobIds;
import dev.keel.queue.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds {@link NewJob}s for backend tests the way core would hand them over: time-ordered ids,
 * canonical JSON payloads, every option explicit. Defaults: queue and tenant {@code default},
 * payload {@code {"n":1}}, priority 0, 20 attempts, due now, no key.
 *
 * <pre>{@code
 * TestJobs jobs = new TestJobs(fixture.clock());
 * NewJob job = jobs.of("email.send").queue("mail").priority(-5).build();
 * }</pre>
 */
public final class TestJobs {
  private final JobIds ids;

  /** Ids come from a {@link JobIds} generator on {@code clock}, so later ids sort after earlier. */
  public TestJobs(InstantSource clock) {
    this.ids = new JobIds(Objects.requireNonNull(clock, "clock"));
  }

  /** A fresh time-ordered id. */
  public UUID nextId() {
    return ids.next();
  }

  /** A builder for a job of {@code type} with a fresh id and every option at its default. */
  public Builder of(String type) {
    return new Builder(nextId(), type);
  }

  /** Mutable, single-use builder of one {@link NewJob}. */
  public static final class Builder {
    private UUID id;
    private final String type;
    private String queue = "default";
    private String tenant = "default";
    private String payload = "{\"n\":1}";
    private int priority;
    private int maxAttempts = 20;
    private Instant runAt;
    private Duration delay = Duration.ZERO;
    private Duration timeout;
    private String idempotencyKey;
    private IdempotencyPolicy idempotencyPolicy = IdempotencyPolicy.whileActive();
    private String traceparent;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String concurrencyKey;
    private int concurrencyLimit;
    private JobLinks links = JobLinks.NONE;

    private Builder(UUID id, String type) {
      this.id = id;
      this.type = type;
    }

    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    public Builder tenant(String tenant) {
      this.tenant = tenant;
      return this;
    }

    /** Canonical JSON text, without insignificant whitespace. */
    public Builder payload(String json) {
      this.payload = json;
      return this;
    }

    /** Shorthand for the payload {@code {"n":<n>}}. */
    public Builder payloadN(int n) {
      return payload("{\"n\":" + n + "}");
    }

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder runAt(Instant runAt) {
      this.runAt = runAt;
      return this;
    }

    public Builder delay(Duration delay) {
      this.delay = delay;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Key under the default policy, {@link IdempotencyPolicy#whileActive()}. */
    /** A caller-chosen id instead of a fresh one. */
    public Builder id(UUID id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder idempotencyKey(String key) {
      this.idempotencyKey = key;
      return this;
    }

    public Builder idempotencyKey(String key, IdempotencyPolicy policy) {
      this.idempotencyKey = key;
      this.idempotencyPolicy = policy;
      return this;
    }

    public Builder traceparent(String traceparent) {
      this.traceparent = traceparent;
      return this;
    }

    public Builder metadata(String key, String value) {
      metadata.put(key, value);
      return this;
    }

    /** At most {@code limit} jobs with {@code key} running at once. */
    public Builder concurrency(String key, int limit) {
      this.concurrencyKey = key;
      this.concurrencyLimit = limit;
      return this;
    }

    /** Batch membership, dependencies or batch callback. */
    public Builder links(JobLinks links) {
      this.links = links;
      return this;
    }

    /** Waits for these jobs to succeed. */
    public Builder dependsOn(UUID... ids) {
      this.links = new JobLinks(null, List.of(ids), null, null, false, false);
      return this;
    }

    public NewJob build() {
      return new NewJob(
          id,
          type,
          queue,
          tenant,
          payload,
          priority,
          maxAttempts,
          runAt,
          delay,
          timeout,
          idempotencyKey,
          idempotencyPolicy,
          traceparent,
          metadata,
          concurrencyKey,
          concurrencyLimit,
          links);
    }
  }
}
