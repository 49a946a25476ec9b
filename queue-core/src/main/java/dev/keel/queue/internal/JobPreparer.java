package dev.keel.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.JobLinks;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobType;
import dev.keel.queue.Limits;
import dev.keel.queue.PayloadTooLargeException;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.spi.NewJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Checks a {@link JobRequest} against every rule and turns it into a {@link NewJob}: applies
 * defaults, serializes the payload canonically, generates the id, captures the trace. Nothing is
 * written by this class, so a rule broken here leaves the backend untouched.
 */
public final class JobPreparer {
  public static final String DEFAULT_QUEUE = "default";
  public static final String DEFAULT_TENANT = "default";
  private static final Pattern NAME = Pattern.compile(Limits.NAME_PATTERN);

  /** Far enough for any schedule, near enough that no backend's time type overflows. */
  private static final Instant LATEST_RUN_AT = Instant.parse("2200-01-01T00:00:00Z");

  private final CanonicalJson json;
  private final JobIds ids;
  private final long maxPayloadBytes;
  private final Map<String, JobType<?>> types;
  private final TracePropagator tracing;
  private final BooleanSupplier coordination;

  /**
   * @param coordination whether the backend enforces concurrency keys, read per job (a reconnecting
   *     backend learns it late)
   */
  public JobPreparer(
      CanonicalJson json,
      JobIds ids,
      long maxPayloadBytes,
      Map<String, JobType<?>> types,
      TracePropagator tracing,
      BooleanSupplier coordination) {
    this.coordination = coordination;
    this.json = json;
    this.ids = ids;
    this.maxPayloadBytes = maxPayloadBytes;
    this.types = types;
    this.tracing = tracing;
  }

  /**
   * Checks and prepares one request for a caller that writes it itself: its trace {@link
   * TracePropagator.Send} is ended at once.
   */
  public NewJob prepare(JobRequest<?> r) {
    List<TracePropagator.Send> sends = new ArrayList<>(1);
    NewJob job = prepare(r, sends);
    sends.get(0).end(null);
    return job;
  }

  /**
   * Checks and prepares one request whose enqueue the caller runs: the trace send is added to
   * {@code sends}, and the caller ends it once the backend answered.
   */
  public NewJob prepare(JobRequest<?> r, List<TracePropagator.Send> sends) {
    NewJob job = check(r);
    TracePropagator.Send send =
        tracing.send(new TracePropagator.Outgoing(job.id(), job.type(), job.queue(), job.tenant()));
    sends.add(send);
    return withTrace(job, send.traceparent(), send.tracestate());
  }

  /** Checks a request without tracing it: for schedule templates, whose jobs are made later. */
  public NewJob prepareUntraced(JobRequest<?> r) {
    NewJob job = check(r);
    if (!job.links().isNone()) {
      throw new InvalidJobException(
          job.links().batchId() != null ? "batchId" : "dependsOn",
          "must not be set on a schedule's template: each fired job would wait for the same jobs");
    }
    if (r.id() != null) {
      throw new InvalidJobException(
          "id", "must not be set on a schedule's template: every fired job gets its own");
    }
    return job;
  }

  private static NewJob withTrace(NewJob job, String traceparent, String tracestate) {
    if (traceparent == null && (tracestate == null || tracestate.isEmpty())) {
      return job;
    }
    Map<String, String> metadata = job.metadata();
    if (tracestate != null
        && !tracestate.isEmpty()
        && tracestate.length() <= Limits.MAX_METADATA_VALUE_LENGTH
        && metadata.size() < Limits.MAX_METADATA_ENTRIES) {
      Map<String, String> m = new LinkedHashMap<>(metadata);
      m.put(TracePropagator.TRACESTATE_METADATA_KEY, tracestate);
      metadata = m;
    }
    return new NewJob(
        job.id(),
        job.type(),
        job.queue(),
        job.tenant(),
        job.payload(),
        job.priority(),
        job.maxAttempts(),
        job.runAt(),
        job.delay(),
        job.timeout(),
        job.idempotencyKey(),
        job.idempotencyPolicy(),
        traceparent,
        metadata,
        job.concurrencyKey(),
        job.concurrencyLimit(),
        job.links());
  }

  private NewJob check(JobRequest<?> r) {
    if (r == null) {
      throw new InvalidJobException("request", "must not be null");
    }
    String type = name("type", r.type());
    String queue = r.queue() == null ? DEFAULT_QUEUE : name("queue", r.queue());
    String tenant = r.tenant() == null ? DEFAULT_TENANT : name("tenant", r.tenant());
    int priority = r.priority() == null ? 0 : r.priority();
    if (priority < Limits.MIN_PRIORITY || priority > Limits.MAX_PRIORITY) {
      throw new InvalidJobException(
          "priority",
          "must be between "
              + Limits.MIN_PRIORITY
              + " and "
              + Limits.MAX_PRIORITY
              + ", was "
              + priority);
    }
    JobType<?> typeDefaults = types.get(type);
    int maxAttempts =
        r.maxAttempts() != null
            ? r.maxAttempts()
            : typeDefaults != null && typeDefaults.maxAttempts() != null
                ? typeDefaults.maxAttempts()
                : JobType.DEFAULT_MAX_ATTEMPTS;
    if (maxAttempts < Limits.MIN_MAX_ATTEMPTS || maxAttempts > Limits.MAX_MAX_ATTEMPTS) {
      throw new InvalidJobException(
          "maxAttempts",
          "must be between "
              + Limits.MIN_MAX_ATTEMPTS
              + " and "
              + Limits.MAX_MAX_ATTEMPTS
              + ", was "
              + maxAttempts);
    }
    if (r.runAt() != null && r.delay() != null) {
      throw new InvalidJobException("runAt", "must not be set together with delay");
    }
    if (r.runAt() != null && r.runAt().isBefore(Instant.EPOCH)) {
      throw new InvalidJobException(
          "runAt", "must not be before 1970-01-01T00:00:00Z, was " + r.runAt());
    }
    if (r.runAt() != null && r.runAt().isAfter(LATEST_RUN_AT)) {
      throw new InvalidJobException(
          "runAt", "must be before " + LATEST_RUN_AT + ", was " + r.runAt());
    }
    if (r.delay() != null && r.delay().isNegative()) {
      throw new InvalidJobException("delay", "must not be negative, was " + r.delay());
    }
    if (r.delay() != null && r.delay().compareTo(Duration.ofDays(365L * 100)) > 0) {
      throw new InvalidJobException("delay", "must be at most 100 years, was " + r.delay());
    }
    Duration timeout = r.timeout();
    if (timeout != null
        && (timeout.isNegative()
            || timeout.isZero()
            || timeout.compareTo(Limits.MAX_TIMEOUT) > 0)) {
      throw new InvalidJobException(
          "timeout", "must be positive and at most " + Limits.MAX_TIMEOUT + ", was " + timeout);
    }
    String key = r.idempotencyKey();
    IdempotencyPolicy policy = r.idempotencyPolicy();
    if (key != null) {
      if (key.isBlank()) {
        throw new InvalidJobException("idempotencyKey", "must not be blank when set");
      }
      if (key.length() > Limits.MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw new InvalidJobException(
            "idempotencyKey",
            "must be at most " + Limits.MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
      }
    } else if (policy != null) {
      throw new InvalidJobException("idempotencyPolicy", "needs an idempotencyKey");
    }
    checkMetadata(r.metadata());
    String payload = json.write("payload", r.payload());
    long size = payload.getBytes(StandardCharsets.UTF_8).length;
    if (size > maxPayloadBytes) {
      throw new PayloadTooLargeException("payload", size, maxPayloadBytes);
    }
    String concurrencyKey;
    int concurrencyLimit;
    if (r.concurrencyKey() != null || r.concurrencyLimit() != null) {
      concurrencyKey = concurrencyKey("concurrencyKey", r.concurrencyKey());
      concurrencyLimit = r.concurrencyLimit();
      if (concurrencyLimit < 1 || concurrencyLimit > Limits.MAX_CONCURRENCY_LIMIT) {
        throw new InvalidJobException(
            "concurrencyLimit",
            "must be between 1 and " + Limits.MAX_CONCURRENCY_LIMIT + ", was " + concurrencyLimit);
      }
    } else if (typeDefaults != null && typeDefaults.concurrency() != null) {
      String k = typeKey(typeDefaults, r.payload(), payload);
      concurrencyKey = k == null || k.isBlank() ? null : concurrencyKey("concurrencyKey", k);
      concurrencyLimit = concurrencyKey == null ? 0 : typeDefaults.concurrency().limit();
    } else {
      concurrencyKey = null;
      concurrencyLimit = 0;
    }
    if (concurrencyKey != null && !coordination.getAsBoolean()) {
      throw new InvalidJobException(
          "concurrencyKey",
          "is not enforced by this backend (BackendCapabilities.coordination is false)");
    }
    JobLinks links = links(r);
    return new NewJob(
        r.id() != null ? r.id() : ids.next(),
        type,
        queue,
        tenant,
        payload,
        priority,
        maxAttempts,
        r.runAt(),
        r.delay(),
        timeout,
        key,
        policy,
        null,
        r.metadata(),
        concurrencyKey,
        concurrencyLimit,
        links);
  }

  /** A new time-ordered id, for a batch. */
  public java.util.UUID newId() {
    return ids.next();
  }

  private JobLinks links(JobRequest<?> r) {
    List<java.util.UUID> deps = r.dependsOn();
    if (deps.isEmpty() && r.batchId() == null) {
      if (r.dependencyFailure() != null) {
        throw new InvalidJobException("onDependencyFailure", "needs dependsOn");
      }
      return JobLinks.NONE;
    }
    if (!coordination.getAsBoolean()) {
      throw new InvalidJobException(
          deps.isEmpty() ? "batchId" : "dependsOn",
          "is not supported by this backend (BackendCapabilities.coordination is false)");
    }
    if (deps.size() > Limits.MAX_DEPENDENCIES) {
      throw new InvalidJobException(
          "dependsOn",
          "must name at most " + Limits.MAX_DEPENDENCIES + " jobs, was " + deps.size());
    }
    for (int i = 0; i < deps.size(); i++) {
      if (deps.get(i) == null) {
        throw new InvalidJobException("dependsOn[" + i + "]", "must not be null");
      }
      if (deps.get(i).equals(r.id())) {
        throw new InvalidJobException("dependsOn[" + i + "]", "a job cannot depend on itself");
      }
    }
    if (!deps.isEmpty() && (r.runAt() != null || r.delay() != null)) {
      throw new InvalidJobException(
          r.runAt() != null ? "runAt" : "delay",
          "must not be set with dependsOn: the job runs when its dependencies succeeded");
    }
    return new JobLinks(r.batchId(), deps, r.dependencyFailure(), null, false, false);
  }

  private static String concurrencyKey(String field, String key) {
    if (key == null || key.isBlank()) {
      throw new InvalidJobException(field, "must not be blank");
    }
    if (key.length() > Limits.MAX_CONCURRENCY_KEY_LENGTH) {
      throw new InvalidJobException(
          field,
          "must be at most "
              + Limits.MAX_CONCURRENCY_KEY_LENGTH
              + " characters, was "
              + key.length());
    }
    return key;
  }

  /** The type rule's key of a payload, read back as the type's payload class when it is not one. */
  @SuppressWarnings("unchecked")
  private <T> String typeKey(JobType<T> type, Object payload, String canonical) {
    T typed;
    if (type.payloadType().isInstance(payload)) {
      typed = (T) payload;
    } else {
      try {
        typed = json.read(canonical, type.payloadType());
      } catch (JsonProcessingException e) {
        throw new InvalidJobException(
            "payload",
            "is not a "
                + type.payloadType().getName()
                + ", which the concurrency rule of type "
                + type.name()
                + " reads: "
                + e.getOriginalMessage());
      }
    }
    try {
      return type.concurrency().key().apply(typed);
    } catch (RuntimeException e) {
      throw new InvalidJobException(
          "concurrencyKey", "the concurrency rule of type " + type.name() + " threw " + e);
    }
  }

  /**
   * Names already checked. A bulk enqueue names the same few types, queues and tenants thousands of
   * times; a set look-up is cheaper than the pattern. Bounded: past the limit names are still
   * checked, just not remembered.
   */
  private static final Set<String> VALID_NAMES = ConcurrentHashMap.newKeySet();

  private static final int MAX_REMEMBERED_NAMES = 10_000;

  /** Checks a name field: type, queue or tenant. */
  public static String name(String field, String value) {
    if (value != null && VALID_NAMES.contains(value)) {
      return value;
    }
    if (value == null || value.isBlank()) {
      throw new InvalidJobException(field, "must not be blank");
    }
    if (!NAME.matcher(value).matches()) {
      throw new InvalidJobException(
          field,
          "must be 1 to "
              + Limits.MAX_NAME_LENGTH
              + " characters of letters, digits, '_', '.', ':' or '-', was '"
              + abbreviate(value)
              + "'");
    }
    if (VALID_NAMES.size() < MAX_REMEMBERED_NAMES) {
      VALID_NAMES.add(value);
    }
    return value;
  }

  private static void checkMetadata(Map<String, String> metadata) {
    if (metadata.size() > Limits.MAX_METADATA_ENTRIES) {
      throw new InvalidJobException(
          "metadata", "must have at most " + Limits.MAX_METADATA_ENTRIES + " entries");
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String k = e.getKey();
      if (k == null || k.isBlank() || k.length() > Limits.MAX_METADATA_KEY_LENGTH) {
        throw new InvalidJobException(
            "metadata",
            "keys must be 1 to " + Limits.MAX_METADATA_KEY_LENGTH + " non-blank characters");
      }
      String v = e.getValue();
      if (v == null) {
        throw new InvalidJobException("metadata." + k, "must not be null");
      }
      if (v.length() > Limits.MAX_METADATA_VALUE_LENGTH) {
        throw new InvalidJobException(
            "metadata." + k, "must be at most " + Limits.MAX_METADATA_VALUE_LENGTH + " characters");
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
