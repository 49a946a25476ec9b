package dev.keel.chaos;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@link LedgerCheck}, records the row in the results table, then asserts on it. */
final class Verdict {
  private Verdict() {}

  static LedgerCheck.Result of(Scenario s) {
    LedgerCheck.Result r = LedgerCheck.check(s, false);
    ChaosResults.add(r);
    System.out.println(r.row());
    assertThat(r.violations())
        .as("guarantees broken in %s (worker logs in %s)", s.name, s.logDir().toAbsolutePath())
        .isEmpty();
    assertThat(r.lost()).as("lost jobs").isZero();
    assertThat(r.stuck()).as("stuck jobs").isZero();
    assertThat(r.failed()).as("failed jobs").isZero();
    assertThat(r.jobs()).as("jobs checked").isGreaterThanOrEqualTo(s.bulkIds.size());
    s.dropLedger();
    return r;
  }
}
