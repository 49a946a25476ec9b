package dev.keel.outbox.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Message headers to and from their JSON column. */
public final class Headers {
  private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() {};
  private final ObjectMapper mapper;

  public Headers(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public String toJson(Map<String, String> headers) {
    try {
      return mapper.writeValueAsString(headers);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings must serialize", e);
    }
  }

  public Map<String, String> fromJson(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return Collections.unmodifiableMap(mapper.readValue(json, MAP));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored headers are not a JSON object of strings", e);
    }
  }
}
