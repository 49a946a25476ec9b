package dev.keel.queue.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.InvalidJobException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes payloads to canonical JSON: object keys sorted, no insignificant whitespace. Two equal
 * payloads give equal text, which is how backends compare payloads for idempotency conflicts.
 */
public final class CanonicalJson {
  private static final Logger log = LoggerFactory.getLogger(CanonicalJson.class);

  private final ObjectMapper mapper;

  public CanonicalJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The mapper behind it, for JSON that need not be canonical (step records). */
  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * The canonical JSON of {@code value}. Most payloads (records and classes with a few properties
   * written in alphabetical order, small maps) already serialize with their keys sorted: their text
   * is checked with one streaming pass and used as it is, which costs a fraction of the tree copy
   * that sorts the others.
   */
  public String write(String field, Object value) {
    if (value == null) {
      throw new InvalidJobException(
          field, "must not be null (use an empty object for no arguments)");
    }
    if (!(value instanceof JsonNode)) {
      String direct;
      try {
        direct = mapper.writeValueAsString(value);
      } catch (JsonProcessingException e) {
        throw new InvalidJobException(
            field, "cannot be serialized to JSON: " + e.getOriginalMessage());
      }
      if (direct.equals("null")) {
        throw new InvalidJobException(field, "must not serialize to JSON null");
      }
      if (keysSorted(direct)) {
        return direct;
      }
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

  /** Whether every object in {@code json} has its keys in the order {@link #sorted} gives. */
  private boolean keysSorted(String json) {
    // One entry per open object or array: the last key seen in an object, "" before its first key.
    Deque<String> lastKeys = new ArrayDeque<>();
    try (JsonParser p = mapper.getFactory().createParser(json)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> lastKeys.push("");
          case END_OBJECT, END_ARRAY -> lastKeys.pop();
          case FIELD_NAME -> {
            String key = p.currentName();
            String previous = lastKeys.pop();
            if (!previous.isEmpty() && previous.compareTo(key) >= 0) {
              return false;
            }
            // An empty key sorts first, so only a first key may be empty.
            lastKeys.push(key.isEmpty() ? "\0" : key);
          }
          default -> {}
        }
      }
      return true;
    } catch (IOException e) {
      // Text Jackson just wrote always parses; should it not, the tree path decides.
      log.debug("Could not re-read serialized payload; sorting it through a tree instead", e);
      return false;
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
