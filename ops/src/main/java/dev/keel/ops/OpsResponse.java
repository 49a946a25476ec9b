package dev.keel.ops;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the console answers: a status, headers (a name may repeat, e.g. {@code Set-Cookie}) and a
 * body. Adapters copy it to their server's response as it is.
 */
public record OpsResponse(int status, Map<String, List<String>> headers, byte[] body) {
  public OpsResponse {
    Map<String, List<String>> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    headers = java.util.Collections.unmodifiableMap(h);
    body = body == null ? new byte[0] : body;
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  static Builder status(int status) {
    return new Builder(status);
  }

  static final class Builder {
    private final int status;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();

    private Builder(int status) {
      this.status = status;
    }

    Builder header(String name, String value) {
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    OpsResponse body(String contentType, byte[] body) {
      header("Content-Type", contentType);
      return new OpsResponse(status, headers, body);
    }
  }
}
