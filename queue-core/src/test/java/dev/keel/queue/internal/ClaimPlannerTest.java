package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClaimPlannerTest {

  /** A fake queue: pending jobs per type; each claim takes from the types asked, busiest first. */
  private static final class FakeQueue implements ClaimPlanner.Claim {
    final Map<String, Integer> pending = new HashMap<>();
    final Map<String, Integer> claimed = new HashMap<>();
    final List<String> calls = new ArrayList<>();

    FakeQueue with(String type, int n) {
      pending.put(type, n);
      return this;
    }

    @Override
    public int claim(Set<String> types, int limit) {
      calls.add(new java.util.TreeSet<>(types) + ":" + limit);
      int got = 0;
      while (got < limit) {
        String best = null;
        for (String t : types) {
          if (pending.getOrDefault(t, 0) > 0
              && (best == null || pending.get(t) > pending.get(best))) {
            best = t;
          }
        }
        if (best == null) {
          break;
        }
        pending.merge(best, -1, Integer::sum);
        claimed.merge(best, 1, Integer::sum);
        got++;
      }
      return got;
    }
  }

  @Test
  void withoutLimitsItIsOneClaimForEveryType() {
    FakeQueue q = new FakeQueue().with("email", 100).with("cleanup", 3);
    int got =
        new ClaimPlanner(Set.of("email", "cleanup"), Map.of(), Map.of(), Map.of())
            .run(10, Map.of(), q);
    assertThat(got).isEqualTo(10);
    assertThat(q.calls).hasSize(1);
  }

  @Test
  void aQuotaKeepsABusyTypeFromTakingTheWholeRoundWhileOthersWait() {
    FakeQueue q = new FakeQueue().with("email", 1000).with("cleanup", 3).with("report", 2);
    ClaimPlanner p =
        new ClaimPlanner(
            Set.of("email", "cleanup", "report"), Map.of(), Map.of("email", 4), Map.of());
    int got = p.run(10, Map.of(), q);
    assertThat(got).isEqualTo(10);
    assertThat(q.claimed)
        .containsEntry("cleanup", 3)
        .containsEntry("report", 2)
        .containsEntry("email", 5);
  }

  @Test
  void capacityNobodyElseWantsStillGoesToTheQuotaType() {
    FakeQueue q = new FakeQueue().with("email", 1000);
    ClaimPlanner p =
        new ClaimPlanner(Set.of("email", "cleanup"), Map.of(), Map.of("email", 4), Map.of());
    assertThat(p.run(16, Map.of(), q)).isEqualTo(16);
  }

  @Test
  void lowerPriorityClassesAreClaimedFirst() {
    FakeQueue q = new FakeQueue().with("bulk", 1000).with("maintenance", 5);
    ClaimPlanner p =
        new ClaimPlanner(
            Set.of("bulk", "maintenance"), Map.of(), Map.of(), Map.of("maintenance", -1));
    p.run(6, Map.of(), q);
    assertThat(q.claimed).containsEntry("maintenance", 5).containsEntry("bulk", 1);
    assertThat(q.calls.get(0)).startsWith("[maintenance]");
  }

  @Test
  void aTypeAtItsConcurrencyLimitIsNotClaimed() {
    FakeQueue q = new FakeQueue().with("pdf", 100).with("email", 100);
    ClaimPlanner p = new ClaimPlanner(Set.of("pdf", "email"), Map.of("pdf", 2), Map.of(), Map.of());
    p.run(10, Map.of("pdf", 2), q);
    assertThat(q.claimed).doesNotContainKey("pdf").containsEntry("email", 10);
    FakeQueue q2 = new FakeQueue().with("pdf", 100);
    p.run(10, Map.of("pdf", 1), q2);
    assertThat(q2.claimed).containsEntry("pdf", 1);
  }
}
