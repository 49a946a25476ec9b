package dev.keel.queue.redis.internal;

import dev.keel.queue.BackendUnavailableException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/** Turns Jedis failures into {@link BackendUnavailableException}s that name the target, masked. */
public final class RedisErrors {
  private final String target;
  private final String source;
  private final Runnable onConnectionLost;

  /**
   * @param target how to name the Redis server in messages, with any password already masked
   * @param source where the URL came from (a variable or option), named in what to check; null for
   *     an application-supplied client
   * @param onConnectionLost run after a connection failure, e.g. to drop the pool's idle
   *     connections, which a server restart or CLIENT KILL has broken as well
   */
  public RedisErrors(String target, String source, Runnable onConnectionLost) {
    this.target = target;
    this.source = source;
    this.onConnectionLost = onConnectionLost;
  }

  /** For a URL, with nothing to run after a connection failure. */
  public RedisErrors(RedisUrl url) {
    this(url.masked(), url.source(), () -> {});
  }

  public String target() {
    return target;
  }

  public BackendUnavailableException translate(String operation, JedisException e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    // A cluster operation fails this way once its node and retry attempts are exhausted.
    if (e instanceof JedisConnectionException || e instanceof JedisClusterOperationException) {
      onConnectionLost.run();
      return new BackendUnavailableException(
          "Redis at "
              + target
              + " is unreachable during "
              + operation
              + ": "
              + detail
              + ". Check that the server is running and reachable at that host and port, and that"
              + " the password and the TLS setting (rediss://) are right"
              + (source == null ? "." : " in " + source + "."),
          e);
    }
    return new BackendUnavailableException(
        "Redis at " + target + " answered " + operation + " with an error: " + detail, e);
  }
}
