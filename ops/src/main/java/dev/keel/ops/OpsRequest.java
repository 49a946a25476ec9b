package dev.keel.ops;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request as the console sees it, independent of any server: what an adapter for a servlet
 * container, Spring or Netty builds from its own request.
 *
 * @param method upper case, e.g. {@code GET}
 * @param path the path below where the console is mounted, starting with {@code /} (e.g. {@code
 *     /api/jobs}); still percent-encoded
 * @param query decoded query parameters, in order; a name may repeat
 * @param headers header names in lower case
 * @param body the request body (at most {@link #MAX_BODY_BYTES})
 * @param secure the request came over TLS (sets the cookie's {@code Secure} flag)
 */
public record OpsRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    byte[] body,
    boolean secure) {
  /** The largest body the console reads; adapters refuse larger ones with 413. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  public OpsRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    method = method.toUpperCase(Locale.ROOT);
    query = copy(query, false);
    headers = copy(headers, true);
    body = body == null ? new byte[0] : body;
  }

  /**
   * A request from its raw query string ({@code a=1&b=2}, percent-encoded, may be null) and
   * headers.
   */
  public static OpsRequest of(
      String method,
      String path,
      String rawQuery,
      Map<String, List<String>> headers,
      byte[] body,
      boolean secure) {
    return new OpsRequest(method, path, parseQuery(rawQuery), headers, body, secure);
  }

  /** The first value of a header (name in any case), or null. */
  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** A cookie's value from the {@code Cookie} headers, or null. */
  public String cookie(String name) {
    List<String> all = headers.get("cookie");
    if (all == null) {
      return null;
    }
    for (String h : all) {
      for (String part : h.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
          return part.substring(eq + 1).trim();
        }
      }
    }
    return null;
  }

  /** Parses {@code a=1&b=x%20y}; a name without {@code =} gets the empty value. */
  public static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return m;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A malformed escape is kept as typed; validation then names the parameter.
      return s;
    }
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> in, boolean lower) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    if (in != null) {
      in.forEach(
          (k, v) -> {
            if (k != null) {
              m.computeIfAbsent(lower ? k.toLowerCase(Locale.ROOT) : k, x -> new ArrayList<>())
                  .addAll(v == null ? List.of() : v);
            }
          });
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }
}
