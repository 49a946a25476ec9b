package dev.keel.outbox.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.keel.outbox.InvalidOutboxMessageException;
import dev.keel.outbox.OutboxMessage;
import dev.keel.queue.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks every field of a message before anything is written. */
public final class MessageValidator {
  /** Longest ordering key, in characters. */
  public static final int MAX_KEY_LENGTH = 255;

  public static final int MAX_HEADERS = 64;
  public static final int MAX_HEADER_VALUE_LENGTH = 1_024;
  private static final Pattern NAME = Pattern.compile(Limits.NAME_PATTERN);
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  private final ObjectReader reader;
  private final long maxPayloadBytes;

  public MessageValidator(ObjectMapper mapper, long maxPayloadBytes) {
    this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * @throws InvalidOutboxMessageException naming the first field that breaks a rule
   */
  public void validate(OutboxMessage m) {
    if (m == null) {
      throw new InvalidOutboxMessageException("message", "must not be null");
    }
    name("tenant", m.tenant());
    name("type", m.type());
    key(m.key());
    payload(m.payload());
    headers(m.headers());
  }

  private static void name(String field, String value) {
    if (value == null) {
      throw new InvalidOutboxMessageException(field, "must not be null");
    }
    if (!NAME.matcher(value).matches()) {
      throw new InvalidOutboxMessageException(
          field, "must be 1 to 128 characters of letters, digits and _ . : -, was '" + value + "'");
    }
  }

  private static void key(String key) {
    if (key == null || key.isEmpty()) {
      throw new InvalidOutboxMessageException("key", "must not be null or empty");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new InvalidOutboxMessageException(
          "key", "must be at most " + MAX_KEY_LENGTH + " characters, was " + key.length());
    }
    if (hasControl(key)) {
      throw new InvalidOutboxMessageException("key", "must not contain control characters");
    }
  }

  private void payload(String payload) {
    if (payload == null) {
      throw new InvalidOutboxMessageException("payload", "must not be null (use \"null\" JSON)");
    }
    long bytes = payload.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxPayloadBytes) {
      throw new InvalidOutboxMessageException(
          "payload", "must be at most " + maxPayloadBytes + " bytes of UTF-8, was " + bytes);
    }
    if (payload.contains("\\u0000")) {
      throw new InvalidOutboxMessageException(
          "payload", "must not contain \\u0000, which PostgreSQL jsonb cannot store");
    }
    try {
      if (reader.readTree(payload) == null || payload.isBlank()) {
        throw new InvalidOutboxMessageException("payload", "must be a JSON document, was empty");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidOutboxMessageException(
          "payload", "must be valid JSON: " + e.getOriginalMessage());
    }
  }

  private static void headers(Map<String, String> headers) {
    if (headers.size() > MAX_HEADERS) {
      throw new InvalidOutboxMessageException(
          "headers", "must hold at most " + MAX_HEADERS + " entries, was " + headers.size());
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String name = e.getKey();
      if (name == null || !HEADER_NAME.matcher(name).matches()) {
        throw new InvalidOutboxMessageException(
            "headers",
            "names must be 1 to 128 characters of letters, digits and _ . -, was '" + name + "'");
      }
      String value = e.getValue();
      String field = "headers[" + name + "]";
      if (value == null) {
        throw new InvalidOutboxMessageException(field, "must not be null");
      }
      if (value.length() > MAX_HEADER_VALUE_LENGTH) {
        throw new InvalidOutboxMessageException(
            field, "must be at most " + MAX_HEADER_VALUE_LENGTH + " characters");
      }
      if (hasControl(value)) {
        throw new InvalidOutboxMessageException(
            field, "must not contain control characters (CR, LF, …)");
      }
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
