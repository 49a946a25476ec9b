package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

  @Test
  void idsAreVersion7AndStrictlyIncreasingEvenWithinOneMillisecond() {
    JobIds ids = new JobIds(InstantSource.fixed(Instant.parse("2030-01-01T00:00:00Z")));
    List<UUID> all = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      all.add(ids.next());
    }
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i)).isGreaterThan(all.get(i - 1));
      // Lexicographic order of the text form is the same order (Redis relies on it).
      assertThat(all.get(i).toString()).isGreaterThan(all.get(i - 1).toString());
    }
    assertThat(new HashSet<>(all)).hasSize(all.size());
    assertThat(all.get(0).version()).isEqualTo(7);
    assertThat(all.get(0).variant()).isEqualTo(2);
  }

  @Test
  void idsCarryTheirMillisecond() {
    Instant t = Instant.parse("2031-05-06T07:08:09.123Z");
    UUID id = new JobIds(InstantSource.fixed(t)).next();
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(t.toEpochMilli());
  }
}
