package dev.keel.queue.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.DependencyFailure;
import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobLinks;
import dev.keel.queue.JobProgress;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.NewJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Converts between job hashes (field → string) and {@link Job}s / script arguments. */
public final class JobHashes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private JobHashes() {}

  /**
   * The enqueue.lua arguments of a batch: the number of jobs, the number of profiles, each
   * profile's 19 fields, then 4 per job (id, payload, idempotency key, profile number). A profile
   * is everything else about a job (type, queue, tenant, priority, max attempts, run-at, delay,
   * timeout, idempotency window, traceparent, metadata, concurrency key and limit, links); a bulk
   * enqueue names a handful of them, so a batch of 1,000 jobs sends about 4,000 arguments instead
   * of 14,000. The number of arguments, not their bytes, was most of the call's cost (a script that
   * only counts its 14,000 arguments took 7-11 ms a call).
   */
  public static List<String> enqueueArgs(List<NewJob> jobs) {
    Map<List<String>, Integer> profiles = new LinkedHashMap<>();
    List<String> perJob = new ArrayList<>(jobs.size() * 4);
    NewJob previous = null;
    Integer number = null;
    for (NewJob job : jobs) {
      if (previous != null && previous.sameSettingsAs(job)) {
        // Jobs of a bulk enqueue mostly come in runs of one profile: no need to build and hash it.
        addJob(perJob, job, number);
        continue;
      }
      JobLinks l = job.links();
      List<String> profile =
          List.of(
              job.type(),
              job.queue(),
              job.tenant(),
              Integer.toString(job.priority()),
              Integer.toString(job.maxAttempts()),
              job.runAt() == null ? "" : Long.toString(Micros.of(job.runAt())),
              Long.toString(Micros.of(job.delay())),
              job.timeout() == null ? "" : job.timeout().toString(),
              job.idempotencyPolicy() instanceof IdempotencyPolicy.Window window
                  ? Long.toString(Math.max(1, window.duration().toMillis()))
                  : "",
              nullToEmpty(job.traceparent()),
              job.metadata().isEmpty() ? "" : metadataJson(job.metadata()),
              nullToEmpty(job.concurrencyKey()),
              job.concurrencyKey() == null ? "" : Integer.toString(job.concurrencyLimit()),
              l.batchId() == null ? "" : l.batchId().toString(),
              l.dependsOn().isEmpty()
                  ? ""
                  : String.join(",", l.dependsOn().stream().map(UUID::toString).toList()),
              l.dependsOn().isEmpty()
                  ? ""
                  : l.onDependencyFailure().name().toLowerCase(java.util.Locale.ROOT),
              l.callbackOf() == null ? "" : l.callbackOf().toString(),
              l.callbackOf() == null ? "" : (l.onlyOnBatchSuccess() ? "1" : "0"),
              l.startsBlocked() ? "1" : "");
      number = profiles.get(profile);
      if (number == null) {
        number = profiles.size() + 1;
        profiles.put(profile, number);
      }
      addJob(perJob, job, number);
      previous = job;
    }
    List<String> args = new ArrayList<>(2 + profiles.size() * 19 + perJob.size());
    args.add(Integer.toString(jobs.size()));
    args.add(Integer.toString(profiles.size()));
    for (List<String> profile : profiles.keySet()) {
      args.addAll(profile);
    }
    args.addAll(perJob);
    return args;
  }

  private static void addJob(List<String> perJob, NewJob job, int profile) {
    perJob.add(job.id().toString());
    perJob.add(job.payload());
    perJob.add(nullToEmpty(job.idempotencyKey()));
    perJob.add(Integer.toString(profile));
  }

  /** A job from a script's HGETALL reply (alternating field and value). */
  public static Job fromFlat(Object reply) {
    return fromMap(toMap(reply));
  }

  /**
   * A job claim.lua just leased, from its hash as it was before the claim and what the claim wrote
   * (the script returns the former once instead of reading the hash again after writing).
   */
  public static Job fromClaimed(
      Object before, String owner, String token, String nowMicros, String expiresMicros) {
    Map<String, String> fields = toMap(before);
    fields.put("state", "RUNNING");
    fields.put("attempt", Integer.toString(Integer.parseInt(fields.get("attempt")) + 1));
    fields.put("startedAt", nowMicros);
    fields.put("heartbeatAt", nowMicros);
    fields.put("leaseOwner", owner);
    fields.put("leaseToken", token);
    fields.put("leaseExpiresAt", expiresMicros);
    return fromMap(fields);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> toMap(Object reply) {
    List<Object> flat = (List<Object>) reply;
    Map<String, String> fields = new HashMap<>(flat.size() + 8);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return fields;
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
        timeout == null ? null : Duration.parse(timeout),
        f.get("concurrencyKey"),
        f.containsKey("concurrencyLimit") ? Integer.parseInt(f.get("concurrencyLimit")) : 0,
        links(f));
  }

  private static JobLinks links(Map<String, String> f) {
    String batch = f.get("batchId");
    String deps = f.get("dependsOn");
    String callbackOf = f.get("callbackOf");
    if (batch == null && deps == null && callbackOf == null) {
      return JobLinks.NONE;
    }
    List<UUID> dependsOn = new ArrayList<>();
    if (deps != null) {
      for (String id : deps.split(",")) {
        dependsOn.add(UUID.fromString(id));
      }
    }
    return new JobLinks(
        batch == null ? null : UUID.fromString(batch),
        dependsOn,
        "fail".equals(f.get("depFail")) ? DependencyFailure.FAIL : DependencyFailure.CANCEL,
        callbackOf == null ? null : UUID.fromString(callbackOf),
        "1".equals(f.get("cbSuccess")),
        "1".equals(f.get("blocked")) && "PENDING".equals(f.get("state")));
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
