package dev.keel.queue.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** Job metadata (string to string) as the JSON text of the {@code metadata jsonb} column. */
public final class MetadataJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, String>> TYPE = new TypeReference<>() {};

  private MetadataJson() {}

  public static String write(Map<String, String> metadata) {
    if (metadata.isEmpty()) {
      return "{}";
    }
    try {
      return MAPPER.writeValueAsString(metadata);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("metadata of plain strings could not be written as JSON", e);
    }
  }

  public static Map<String, String> read(String json) {
    if (json == null || json.equals("{}")) {
      return Map.of();
    }
    try {
      return MAPPER.readValue(json, TYPE);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("metadata column does not hold a JSON object of strings", e);
    }
  }
}
