package dev.keel.examples.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Needs Redis: KEEL_TEST_REDIS_URL, else 127.0.0.1:6379 (bash .ci/run starts it). */
class SharedJobRateLimitTest {

  @Test
  void twoWorkersTogetherNeverExceedTheSharedLimit() throws Exception {
    String url = System.getenv().getOrDefault("KEEL_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    int perSecond = 5;
    int jobs = 20;
    List<Long> starts = SharedJobRateLimit.run(url, jobs, perSecond);
    assertThat(starts).hasSize(jobs);
    // Token bucket bound: in any window of t seconds at most capacity + rate × t starts.
    for (int i = 0; i < starts.size(); i++) {
      int inWindow = 0;
      for (long s : starts) {
        if (s >= starts.get(i) && s < starts.get(i) + 1_000_000_000L) {
          inWindow++;
        }
      }
      assertThat(inWindow)
          .as("starts within one second of start %d", i)
          .isLessThanOrEqualTo(perSecond + perSecond);
    }
    double seconds = (starts.get(jobs - 1) - starts.get(0)) / 1e9;
    assertThat(seconds)
        .as("20 jobs at 5/s after a burst of 5 take at least ~3 s")
        .isGreaterThan(2.5);
  }
}
