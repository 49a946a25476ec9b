package dev.keel.queue.redis.internal;

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
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The operation scripts in {@code dev/keel/queue/redis/lua/}, each prefixed with {@code lib.lua}.
 * Calls go by EVALSHA with the SHA computed locally; a server that does not know a script yet
 * (first use, restart, failover) answers NOSCRIPT, and the script is loaded and the call repeated.
 */
public final class LuaScripts {
  private static final String DIR = "/dev/keel/queue/redis/lua/";

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
