package dev.keel.queue.redis.internal;

import dev.keel.queue.BackendUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The operation scripts in {@code dev/keel/queue/redis/lua/}, each prefixed with {@code lib.lua}.
 * Calls go by EVALSHA with the SHA computed locally; a server that does not know a script yet
 * (first use, restart, failover) answers NOSCRIPT, and the script is loaded and the call repeated.
 */
public final class LuaScripts {
  private static final String DIR = "/dev/keel/queue/redis/lua/";

  private static final Logger LOG = LoggerFactory.getLogger(LuaScripts.class);

  private final UnifiedJedis client;
  private final NamespaceKeys keys;
  private final RedisErrors errors;
  private final List<String> commonArgs;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();

  private record Script(String source, String sha) {}

  public LuaScripts(
      UnifiedJedis client, NamespaceKeys keys, RedisErrors errors, long finishedTtlMillis) {
    this.client = client;
    this.keys = keys;
    this.errors = errors;
    this.commonArgs = List.of(keys.prefix(), Long.toString(finishedTtlMillis));
  }

  /**
   * Runs operation {@code name} with the operation's own arguments (the common ones are added).
   *
   * @throws dev.keel.queue.BackendUnavailableException if Redis cannot be reached or fails
   */
  public Object run(String name, List<String> args) {
    Script script = scripts.computeIfAbsent(name, LuaScripts::load);
    List<String> keyList = List.of(keys.routingKey());
    List<String> argv = new java.util.ArrayList<>(commonArgs.size() + args.size());
    argv.addAll(commonArgs);
    argv.addAll(args);
    try {
      try {
        return client.evalsha(script.sha(), keyList, argv);
      } catch (JedisNoScriptException e) {
        // Loaded on the node that owns the namespace's slot, which is where EVALSHA goes.
        client.scriptLoad(script.source(), keys.routingKey());
        return client.evalsha(script.sha(), keyList, argv);
      }
    } catch (JedisException e) {
      throw errors.translate(name, e);
    }
  }

  /**
   * Like {@link #run}, for an operation that is safe to send twice: enqueue, whose job ids, once
   * stored, are reported when sent again and never inserted twice. A pooled connection that broke
   * while idle (a server restart, CLIENT KILL, a proxy's idle timeout) fails the first call made on
   * it; that failure has dropped the pool's idle connections, so the call is sent once more on a
   * fresh one instead of failing the application's request.
   */
  public Object runResendable(String name, List<String> args) {
    try {
      return run(name, args);
    } catch (BackendUnavailableException first) {
      if (!(first.getCause() instanceof JedisConnectionException)) {
        throw first;
      }
      LOG.warn(
          "Redis at {}: {} lost its connection; sending it once more on a fresh connection",
          errors.target(),
          name,
          first);
      try {
        return run(name, args);
      } catch (BackendUnavailableException second) {
        second.addSuppressed(first);
        throw second;
      }
    }
  }

  private static Script load(String name) {
    String source = resource("lib.lua") + "\n" + resource(name + ".lua");
    return new Script(source, sha1(source));
  }

  private static String resource(String file) {
    try (InputStream in = LuaScripts.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + DIR + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script resource " + DIR + file, e);
    }
  }

  private static String sha1(String source) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }
}
