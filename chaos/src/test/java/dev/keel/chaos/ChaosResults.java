package dev.keel.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * The results table: one row per scenario run in this JVM, rewritten to {@code
 * target/chaos-results.md} after every scenario and printed once the test plan finished (this class
 * is registered as a JUnit Platform listener in META-INF/services).
 */
public final class ChaosResults implements TestExecutionListener {
  private static final List<LedgerCheck.Result> RESULTS = new ArrayList<>();
  static final Path FILE = Path.of("target", "chaos-results.md");

  private static final List<OutboxChaos.Result> OUTBOX = new ArrayList<>();

  static synchronized void add(LedgerCheck.Result r) {
    RESULTS.add(r);
    write();
  }

  static synchronized void addOutbox(OutboxChaos.Result r) {
    OUTBOX.add(r);
    write();
  }

  private static void write() {
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, table());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + FILE, e);
    }
  }

  static synchronized String table() {
    StringBuilder b = new StringBuilder();
    b.append("# Keel fault-injection results (")
        .append(ChaosSettings.LONG ? "long" : "short")
        .append(" form)\n\n");
    b.append(
        "| scenario | backend | jobs | faults | lost | stuck | failed | duplicate executions |"
            + " executions started after success | stale completions rejected |"
            + " misreports: lost / succeeded; successes lost in a crash | worst rescue (rescues) | idempotent enqueues/keys |"
            + " guarantees |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (LedgerCheck.Result r : RESULTS) {
      b.append(r.row()).append('\n');
    }
    b.append("\nRescue bound: ")
        .append(ChaosSettings.RESCUE_BOUND.toMillis())
        .append(" ms (lease ")
        .append(ChaosSettings.LEASE.toMillis())
        .append(" ms + heartbeat ")
        .append(ChaosSettings.HEARTBEAT.toMillis())
        .append(" ms + maintenance interval ")
        .append(ChaosSettings.MAINTENANCE_INTERVAL.toMillis())
        .append(" ms + 1 s slack); where the workers run maintenance (*-sigkill-maint), plus the")
        .append(" maintenance lock's TTL (")
        .append(ChaosSettings.WORKER_MAINTENANCE_LOCK_TTL.toMillis())
        .append(" ms) for every kill that hit the lock's holder from one TTL before the fault")
        .append(" until the rescue: a dead holder keeps the lock until its TTL runs out.\n");
    if (!OUTBOX.isEmpty()) {
      b.append("\n## Outbox relay and delivery ledger\n\n");
      b.append(
          "| scenario | messages committed | commits uncertain | faults | lost | jobs per message"
              + " above one | effects missing | effects twice | provider re-sends (same key) |"
              + " guarantees |\n");
      b.append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (OutboxChaos.Result r : OUTBOX) {
        b.append(r.row()).append('\n');
      }
      for (OutboxChaos.Result r : OUTBOX) {
        if (!r.violations().isEmpty()) {
          b.append("\n## Violations in ").append(r.scenario()).append(" (outbox)\n\n");
          r.violations().stream().limit(50).forEach(v -> b.append("- ").append(v).append('\n'));
        }
      }
    }
    for (LedgerCheck.Result r : RESULTS) {
      if (!r.violations().isEmpty()) {
        b.append("\n## Violations in ").append(r.scenario()).append(" (").append(r.backend());
        b.append(")\n\n");
        r.violations().stream().limit(50).forEach(v -> b.append("- ").append(v).append('\n'));
      }
    }
    return b.toString();
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    synchronized (ChaosResults.class) {
      if (!RESULTS.isEmpty() || !OUTBOX.isEmpty()) {
        System.out.println();
        System.out.println(table());
        System.out.println("(also in " + FILE.toAbsolutePath() + ")");
      }
    }
  }
}
