package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Payloads that stress a backend's text handling, and a comparison that treats two payloads as
 * equal when they are the same JSON: durable backends may store JSON in a normalized form (jsonb
 * reorders keys and adds whitespace), so text equality would be too strict.
 */
public final class TestPayloads {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TestPayloads() {}

  /**
   * Emoji (with a skin-tone modifier, outside the BMP), CJK, right-to-left scripts, combining
   * marks, escaped quotes, a backslash and escaped control characters, as canonical JSON.
   */
  public static String unicode() {
    return "{\"cjk\":\"漢字かなカナ한국어\","
        + "\"combining\":\"e\u0301 n\u0303\","
        + "\"controls\":\"line1\\nline2\\ttab\","
        + "\"emoji\":\"😀👍🏽🚀\","
        + "\"quotes\":\"she said \\\"hi\\\" and left \\\\ back\","
        + "\"rtl\":\"שלום مرحبا\"}";
  }

  /**
   * One JSON object whose single string value makes the whole payload just under {@code bytes} of
   * UTF-8, mixing one-, two-, three- and four-byte characters.
   */
  public static String ofUtf8Size(int bytes) {
    String chunk = "0123456789abcdefghij-ÄÖÜß-漢字-😀|";
    int chunkBytes = chunk.getBytes(StandardCharsets.UTF_8).length;
    String prefix = "{\"blob\":\"";
    String suffix = "\"}";
    int room = bytes - prefix.length() - suffix.length();
    StringBuilder sb = new StringBuilder(bytes).append(prefix);
    for (int used = 0; used + chunkBytes <= room; used += chunkBytes) {
      sb.append(chunk);
    }
    return sb.append(suffix).toString();
  }

  /** Asserts that {@code actual} and {@code expected} are the same JSON value. */
  public static void assertSameJson(String actual, String expected) {
    assertThat(parse(actual)).as("payload as JSON").isEqualTo(parse(expected));
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("not valid JSON: " + abbreviate(json), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
