package dev.keel.queue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.recurring.MisfirePolicy;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.recurring.ScheduleTrigger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A schedule as core stores it in a backend: the trigger, the job template (already checked and
 * with its payload serialized) and the policies. Encoded as canonical JSON — fixed field order,
 * sorted metadata — so that two nodes declaring the same schedule write the same text, and an
 * upsert can tell "unchanged" from "changed" by comparing strings.
 *
 * <p>Every node plans fires from the <em>stored</em> spec, not from its own declaration, so during
 * a rolling deploy all nodes fire the newest declaration.
 */
public record ScheduleSpec(
    String name,
    ScheduleTrigger trigger,
    JobTemplate job,
    MisfirePolicy misfire,
    Duration misfireWindow,
    OverlapPolicy overlap) {

  /** Version of the encoding; a node refuses (and logs) a spec written in a newer one. */
  static final int FORMAT = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public ScheduleSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(misfire, "misfire");
    Objects.requireNonNull(misfireWindow, "misfireWindow");
    Objects.requireNonNull(overlap, "overlap");
  }

  /**
   * What each fire enqueues; the fields of a checked {@code JobRequest}.
   *
   * @param payload canonical JSON of the payload
   * @param timeout null for the type's default
   * @param concurrencyKey null for none (then {@code concurrencyLimit} is 0)
   */
  public record JobTemplate(
      String type,
      String queue,
      String tenant,
      String payload,
      int priority,
      int maxAttempts,
      Duration timeout,
      Map<String, String> metadata,
      String concurrencyKey,
      int concurrencyLimit) {
    public JobTemplate {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(payload, "payload");
      metadata = Map.copyOf(metadata);
    }
  }

  /** The canonical text of the whole spec. */
  public String encode() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.set("trigger", triggerNode(trigger));
    ObjectNode j = root.putObject("job");
    j.put("type", job.type());
    j.put("queue", job.queue());
    j.put("tenant", job.tenant());
    j.put("payload", job.payload());
    j.put("priority", job.priority());
    j.put("maxAttempts", job.maxAttempts());
    if (job.timeout() != null) {
      j.put("timeoutMillis", job.timeout().toMillis());
    }
    if (job.concurrencyKey() != null) {
      // Only when set, so that the spec text of a schedule without one is what it always was.
      j.put("concurrencyKey", job.concurrencyKey());
      j.put("concurrencyLimit", job.concurrencyLimit());
    }
    ObjectNode md = j.putObject("metadata");
    new TreeMap<>(job.metadata()).forEach(md::put);
    if (misfire instanceof MisfirePolicy.FireAll all) {
      root.putObject("misfire").put("fireAll", all.cap());
    } else {
      root.put("misfire", misfire.toString());
    }
    root.put("misfireWindowMillis", misfireWindow.toMillis());
    root.put("overlap", overlap.name());
    return write(root);
  }

  /**
   * The canonical text of the trigger alone: an upsert moves the next fire time only if it changed.
   */
  public String encodeTrigger() {
    return write(triggerNode(trigger));
  }

  private static ObjectNode triggerNode(ScheduleTrigger trigger) {
    ObjectNode t = MAPPER.createObjectNode();
    if (trigger instanceof ScheduleTrigger.Cron c) {
      t.put("kind", "cron");
      t.put("expression", c.expression());
      t.put("withSeconds", c.withSeconds());
      t.put("zone", c.zone().getId());
    } else {
      ScheduleTrigger.Interval i = (ScheduleTrigger.Interval) trigger;
      t.put("kind", "interval");
      t.put("periodMillis", i.period().toMillis());
      t.put("anchor", i.anchor().toString());
    }
    return t;
  }

  private static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("encoding a schedule spec failed", e);
    }
  }

  /**
   * Reads a stored spec.
   *
   * @throws IllegalStateException naming the schedule, when the text is not a spec this version of
   *     Keel can read (written by a newer Keel, or damaged)
   */
  public static ScheduleSpec decode(String name, String text) {
    try {
      JsonNode root = MAPPER.readTree(text);
      int format = root.path("format").asInt(-1);
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "format " + format + " is not " + FORMAT + " (written by another Keel version?)");
      }
      JsonNode t = required(root, "trigger");
      ScheduleTrigger trigger =
          switch (required(t, "kind").asText()) {
            case "cron" ->
                new ScheduleTrigger.Cron(
                    required(t, "expression").asText(),
                    required(t, "withSeconds").asBoolean(),
                    ZoneId.of(required(t, "zone").asText()));
            case "interval" ->
                new ScheduleTrigger.Interval(
                    Duration.ofMillis(required(t, "periodMillis").asLong()),
                    Instant.parse(required(t, "anchor").asText()));
            default -> throw new IllegalArgumentException("unknown trigger kind " + t.get("kind"));
          };
      JsonNode j = required(root, "job");
      Map<String, String> metadata = new TreeMap<>();
      j.path("metadata")
          .fields()
          .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
      JobTemplate job =
          new JobTemplate(
              required(j, "type").asText(),
              required(j, "queue").asText(),
              required(j, "tenant").asText(),
              required(j, "payload").asText(),
              required(j, "priority").asInt(),
              required(j, "maxAttempts").asInt(),
              j.has("timeoutMillis") ? Duration.ofMillis(j.get("timeoutMillis").asLong()) : null,
              metadata,
              j.has("concurrencyKey") ? j.get("concurrencyKey").asText() : null,
              j.has("concurrencyKey") ? required(j, "concurrencyLimit").asInt() : 0);
      JsonNode m = required(root, "misfire");
      MisfirePolicy misfire;
      if (m.isObject()) {
        misfire = MisfirePolicy.fireAll(required(m, "fireAll").asInt());
      } else {
        misfire =
            switch (m.asText()) {
              case "fireOnce" -> MisfirePolicy.fireOnce();
              case "skip" -> MisfirePolicy.skip();
              default -> throw new IllegalArgumentException("unknown misfire policy " + m);
            };
      }
      return new ScheduleSpec(
          name,
          trigger,
          job,
          misfire,
          Duration.ofMillis(required(root, "misfireWindowMillis").asLong()),
          OverlapPolicy.valueOf(required(root, "overlap").asText()));
    } catch (Exception e) {
      throw new IllegalStateException(
          "stored schedule '" + name + "' has a spec this Keel cannot read: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v;
  }
}
