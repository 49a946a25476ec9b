package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.InvalidJobException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
  private final CanonicalJson json = new CanonicalJson(new ObjectMapper());

  record Email(String to, String subject, List<String> tags) {}

  @Test
  void keysAreSortedAtEveryLevelSoEqualPayloadsGiveEqualText() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("b", 1);
    a.put("a", Map.of("z", 1, "y", List.of(Map.of("d", 1, "c", 2))));
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("a", Map.of("y", List.of(Map.of("c", 2, "d", 1)), "z", 1));
    b.put("b", 1);
    assertThat(json.write("payload", a))
        .isEqualTo(json.write("payload", b))
        .isEqualTo("{\"a\":{\"y\":[{\"c\":2,\"d\":1}],\"z\":1},\"b\":1}");
  }

  record Sorted(int a, String b, Map<String, Integer> c) {}

  record Unsorted(String to, String subject, Sorted nested) {}

  @Test
  void textIsTheSameWhetherOrNotTheSerializedKeysWereAlreadySorted() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Sorted sorted = new Sorted(1, "x", new LinkedHashMap<>(Map.of("k", 1)));
    // already sorted: the direct text is kept, and it is what the tree copy would give
    assertThat(json.write("payload", sorted))
        .isEqualTo(json.write("payload", mapper.valueToTree(sorted)))
        .isEqualTo("{\"a\":1,\"b\":\"x\",\"c\":{\"k\":1}}");
    // components declared out of order, at two levels: sorted through the tree copy
    Map<String, Integer> unsortedMap = new LinkedHashMap<>();
    unsortedMap.put("z", 1);
    unsortedMap.put("", 2);
    Unsorted unsorted = new Unsorted("t", "s", new Sorted(2, "y", unsortedMap));
    assertThat(json.write("payload", unsorted))
        .isEqualTo(
            "{\"nested\":{\"a\":2,\"b\":\"y\",\"c\":{\"\":2,\"z\":1}},\"subject\":\"s\",\"to\":\"t\"}");
    // a duplicate-free object whose first key is empty stays on the direct path correctly
    Map<String, Integer> emptyFirst = new LinkedHashMap<>();
    emptyFirst.put("", 1);
    emptyFirst.put("a", 2);
    assertThat(json.write("payload", emptyFirst)).isEqualTo("{\"\":1,\"a\":2}");
    assertThat(json.write("payload", List.of(Map.of("b", 1), 3, "s")))
        .isEqualTo("[{\"b\":1},3,\"s\"]");
  }

  @Test
  void recordsRoundTrip() throws Exception {
    Email e = new Email("ü@例え.jp", "héllo \"quoted\" 🎉", List.of("x"));
    assertThat(json.read(json.write("payload", e), Email.class)).isEqualTo(e);
  }

  @Test
  void nullPayloadIsRejectedNamingTheField() {
    assertThatThrownBy(() -> json.write("payload", null))
        .isInstanceOf(InvalidJobException.class)
        .satisfies(t -> assertThat(((InvalidJobException) t).field()).isEqualTo("payload"));
  }
}
