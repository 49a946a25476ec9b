package dev.keel.queue.redis.internal;

import dev.keel.queue.KeelConfigurationException;
import java.util.UUID;

/**
 * Key names of one namespace. Every key starts with the hash tag {@code {namespace}} so a whole
 * namespace maps to one Redis Cluster slot; the scripts build the rest (see KEYS.md).
 */
public record NamespaceKeys(String namespace) {
  public static final String NAMESPACE_PATTERN = "[A-Za-z0-9_.:-]{1,64}";

  public NamespaceKeys {
    if (namespace == null || !namespace.matches(NAMESPACE_PATTERN)) {
      throw new KeelConfigurationException(
          "RedisBackend.namespace must match " + NAMESPACE_PATTERN + ", was '" + namespace + "'");
    }
  }

  /** {@code {namespace}:}, the start of every key. */
  public String prefix() {
    return "{" + namespace + "}:";
  }

  /** The key passed as KEYS[1] so that scripts are routed to the namespace's node. */
  public String routingKey() {
    return prefix() + "queues";
  }

  public String job(UUID id) {
    return prefix() + "job:" + id;
  }

  /** The pub/sub channel on which scripts announce claimable jobs (message = queue name). */
  public String wakeupChannel() {
    return prefix() + "wakeup";
  }

  /** The message announcing that the earliest scheduled job changed. */
  public static String scheduleChangedMessage() {
    return "#scheduled";
  }

  /** A SCAN pattern matching every key of the namespace. */
  public String pattern() {
    return "{" + namespace + "}:*";
  }
}
