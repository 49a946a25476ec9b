package dev.keel.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.InvalidJobException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Serializes payloads to canonical JSON: object keys sorted, no insignificant whitespace. Two equal
 * payloads give equal text, which is how backends compare payloads for idempotency conflicts.
 */
public final class CanonicalJson {
  private final ObjectMapper mapper;

  public CanonicalJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The canonical JSON of {@code value}. */
  public String write(String field, Object value) {
    if (value == null) {
      throw new InvalidJobException(
          field, "must not be null (use an empty object for no arguments)");
    }
    JsonNode tree;
    try {
      tree = value instanceof JsonNode node ? node : mapper.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(field, "cannot be serialized to JSON: " + e.getMessage());
    }
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      throw new InvalidJobException(field, "must not serialize to JSON null");
    }
    try {
      return mapper.writeValueAsString(sorted(tree));
    } catch (JsonProcessingException e) {
      throw new InvalidJobException(
          field, "cannot be serialized to JSON: " + e.getOriginalMessage());
    }
  }

  /** Reads stored payload text into {@code type}. */
  public <T> T read(String json, Class<T> type) throws JsonProcessingException {
    return mapper.readValue(json, type);
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      it.forEachRemaining(fields::add);
      fields.sort(Map.Entry.comparingByKey());
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : fields) {
        out.set(e.getKey(), sorted(e.getValue()));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(child -> out.add(sorted(child)));
      return out;
    }
    return node;
  }
}
