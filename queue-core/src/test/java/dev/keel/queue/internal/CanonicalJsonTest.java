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
