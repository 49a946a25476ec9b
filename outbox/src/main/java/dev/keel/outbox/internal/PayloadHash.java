package dev.keel.outbox.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * SHA-256 of a payload's canonical JSON: object members sorted by name at every depth, numbers
 * written in their shortest exact decimal form ({@code 1.0} and {@code 1} are the same), no
 * insignificant whitespace. Two payloads that mean the same JSON hash the same whatever their Java
 * type or field order.
 */
public final class PayloadHash {
  private final ObjectMapper mapper;

  public PayloadHash(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The canonical JSON text of {@code payload} (any Jackson-serializable value or JsonNode). */
  public String canonicalJson(Object payload) {
    JsonNode tree = payload instanceof JsonNode n ? n : mapper.valueToTree(payload);
    try {
      return mapper.writeValueAsString(canonical(tree == null ? mapper.nullNode() : tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree must serialize", e);
    }
  }

  /** Hex SHA-256 of {@link #canonicalJson}. */
  public String sha256(Object payload) {
    return sha256Hex(canonicalJson(payload));
  }

  public static String sha256Hex(String text) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM ships SHA-256", e);
    }
  }

  private static JsonNode canonical(JsonNode node) {
    JsonNodeFactory f = JsonNodeFactory.withExactBigDecimals(true);
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode out = f.objectNode();
      for (String name : names) {
        out.set(name, canonical(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = f.arrayNode();
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        out.add(canonical(it.next()));
      }
      return out;
    }
    if (node.isNumber()) {
      BigDecimal d = node.decimalValue().stripTrailingZeros();
      return d.scale() <= 0 ? f.numberNode(d.toBigIntegerExact()) : f.numberNode(d);
    }
    return node;
  }
}
