package dev.keel.outbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message to publish once its transaction commits. Immutable; each {@code with…} method returns a
 * copy. Nothing is checked here: {@link Outbox#record} validates every field first and throws
 * {@link InvalidOutboxMessageException} naming the field before anything is written.
 *
 * <pre>{@code
 * outbox.record(handle, OutboxMessage.of("user.created", "user-" + id, "{\"id\":" + id + "}")
 *     .withTenant("acme")
 *     .withHeader("source", "signup"));
 * }</pre>
 *
 * @param tenant the tenant (default {@code default}); part of the ordering key
 * @param key the ordering key: messages of one (tenant, key) are published in commit order, one at
 *     a time; messages of different keys are independent
 * @param type what happened, e.g. {@code user.created}; a {@link KeelQueueSink} uses it as the job
 *     type
 * @param payload the body, a JSON document as text
 * @param headers string metadata carried to the sink (a webhook sends them as HTTP headers)
 */
public record OutboxMessage(
    String tenant, String key, String type, String payload, Map<String, String> headers) {

  /** The tenant used when none is given. */
  public static final String DEFAULT_TENANT = "default";

  public OutboxMessage {
    headers =
        headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A message of the default tenant with no headers. */
  public static OutboxMessage of(String type, String key, String payloadJson) {
    return new OutboxMessage(DEFAULT_TENANT, key, type, payloadJson, Map.of());
  }

  public OutboxMessage withTenant(String tenant) {
    return new OutboxMessage(tenant, key, type, payload, headers);
  }

  /** Adds (or replaces) one header. */
  public OutboxMessage withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new OutboxMessage(tenant, key, type, payload, copy);
  }

  /** Replaces all headers. */
  public OutboxMessage withHeaders(Map<String, String> headers) {
    return new OutboxMessage(tenant, key, type, payload, headers);
  }
}
