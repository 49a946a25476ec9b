package dev.keel.queue.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobProgress;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.NewJob;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Converts between job hashes (field → string) and {@link Job}s / script arguments. */
public final class JobHashes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  /** Number of script arguments per job in enqueue.lua. */
  public static final int ENQUEUE_ARGS_PER_JOB = 14;

  private JobHashes() {}

  /** Appends the enqueue.lua arguments of one job. */
  public static void appendEnqueueArgs(NewJob job, List<String> args) {
    args.add(job.id().toString());
    args.add(job.type());
    args.add(job.queue());
    args.add(job.tenant());
    args.add(job.payload());
    args.add(Integer.toString(job.priority()));
    args.add(Integer.toString(job.maxAttempts()));
    args.add(job.runAt() == null ? "" : Long.toString(Micros.of(job.runAt())));
    args.add(Long.toString(Micros.of(job.delay())));
    args.add(job.timeout() == null ? "" : job.timeout().toString());
    args.add(nullToEmpty(job.idempotencyKey()));
    args.add(
        job.idempotencyPolicy() instanceof IdempotencyPolicy.Window window
            ? Long.toString(Math.max(1, window.duration().toMillis()))
            : "");
    args.add(nullToEmpty(job.traceparent()));
    args.add(job.metadata().isEmpty() ? "" : metadataJson(job.metadata()));
  }

  /** A job from a script's HGETALL reply (alternating field and value). */
  @SuppressWarnings("unchecked")
  public static Job fromFlat(Object reply) {
    List<Object> flat = (List<Object>) reply;
    Map<String, String> fields = new HashMap<>(flat.size());
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return fromMap(fields);
  }

  public static Job fromMap(Map<String, String> f) {
    String percent = f.get("progressPercent");
    JobProgress progress =
        percent == null
            ? null
            : new JobProgress(Integer.parseInt(percent), f.getOrDefault("progressMessage", ""));
    String errorMessage = f.get("errorMessage");
    JobError error =
        errorMessage == null
            ? null
            : new JobError(errorMessage, f.getOrDefault("errorStackTrace", ""));
    String timeout = f.get("timeout");
    String metadata = f.get("metadata");
    return new Job(
        UUID.fromString(f.get("id")),
        f.get("type"),
        f.get("queue"),
        f.get("tenant"),
        f.get("payload"),
        Integer.parseInt(f.get("priority")),
        JobState.valueOf(f.get("state")),
        Integer.parseInt(f.get("attempt")),
        Integer.parseInt(f.get("maxAttempts")),
        Micros.toInstant(f.get("runAt")),
        Micros.toInstant(f.get("createdAt")),
        Micros.toInstant(f.get("startedAt")),
        Micros.toInstant(f.get("finishedAt")),
        f.get("leaseOwner"),
        f.get("leaseToken"),
        Micros.toInstant(f.get("leaseExpiresAt")),
        Micros.toInstant(f.get("heartbeatAt")),
        progress,
        error,
        f.get("idempotencyKey"),
        f.get("traceparent"),
        metadata == null ? Map.of() : parseMetadata(metadata),
        timeout == null ? null : Duration.parse(timeout));
  }

  private static String metadataJson(Map<String, String> metadata) {
    try {
      return JSON.writeValueAsString(metadata);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serializes", e);
    }
  }

  private static Map<String, String> parseMetadata(String json) {
    try {
      return JSON.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "corrupt metadata in a job hash: " + e.getOriginalMessage(), e);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
