package dev.keel.chaos;

import dev.keel.queue.Job;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The checks every scenario ends with, from three independent sources: the ledger the handlers
 * wrote (one row when an execution starts, one when its body returns, keyed by lease token), the
 * jobs as the backend stores them (read through the public client), and the events the worker
 * processes printed (a success the backend accepted; a lease lost and its result discarded).
 *
 * <p>How "no completion was accepted from a stale lease" is checked: a SUCCEEDED job's stored
 * {@code attempt} is the attempt of the last claim, since only a claim increments it. The success
 * must therefore come from an execution of that attempt whose handler body returned (a {@code
 * finished} ledger row) and whose worker did not report the lease lost. Further: at most one
 * success event per job, of that attempt; no execution with a higher attempt; no execution that
 * started after the job's {@code finishedAt} (all clocks are this host's: the ledger's {@code
 * clock_timestamp()}, the backend's {@code now()} or {@code TIME}). A stale finish that the backend
 * accepted would break one of these: it would have an older attempt, or its job would be claimed
 * again after it, or the newer execution's own finish would be refused.
 */
final class LedgerCheck {
  /** One row of the results table, and whatever broke a guarantee. */
  record Result(
      String scenario,
      String backend,
      int jobs,
      int faults,
      int lost,
      int stuck,
      int failed,
      int duplicateExecutions,
      int startsAfterSuccess,
      int staleRejected,
      int fencedFinishes,
      int misreportedLost,
      int misreportedSuccesses,
      int successesLostInCrash,
      Duration worstRescue,
      int rescues,
      int idempotentEnqueues,
      int idempotentKeysWithJobs,
      List<String> violations) {

    String row() {
      return "| "
          + String.join(
              " | ",
              scenario,
              backend,
              Integer.toString(jobs),
              Integer.toString(faults),
              Integer.toString(lost),
              Integer.toString(stuck),
              Integer.toString(failed),
              Integer.toString(duplicateExecutions),
              Integer.toString(startsAfterSuccess),
              staleRejected + " (" + fencedFinishes + " by the backend)",
              misreportedLost + " / " + misreportedSuccesses + " / " + successesLostInCrash,
              worstRescue == null
                  ? "-"
                  : String.format("%.2f s (%d)", worstRescue.toMillis() / 1000.0, rescues),
              idempotentEnqueues + "/" + idempotentKeysWithJobs,
              !violations.isEmpty() ? violations.size() + " VIOLATIONS" : "ok")
          + " |";
    }
  }

  private record Execution(
      UUID jobId, int attempt, String token, long pid, Instant startedAt, boolean finished) {}

  private LedgerCheck() {}

  /**
   * Runs every check.
   *
   * @param allowFailed whether jobs may end FAILED in this scenario (none of the current ones do)
   */
  static Result check(Scenario s, boolean allowFailed) {
    List<String> violations = new ArrayList<>(s.violations);
    Map<UUID, Job> stored = new HashMap<>();
    for (Job j : s.all(JobQuery.tenant("default"))) {
      stored.put(j.id(), j);
    }
    Set<UUID> expected = s.expectedIds();
    Set<UUID> checked = new HashSet<>(expected);
    // Jobs whose enqueue reply was lost in a fault exist without the test knowing their id: they
    // are checked like the others (they must not be stuck either).
    checked.addAll(stored.keySet());

    Map<UUID, List<Execution>> executions = readLedger(s.ledgerSchema);
    Map<String, String> lostTokens = new HashMap<>();
    Map<UUID, List<WorkerProcess.Event>> successes = new HashMap<>();
    synchronized (s.events) {
      for (WorkerProcess.Event e : s.events) {
        if (e.kind().equals("LEASE_LOST")) {
          lostTokens.put(e.token(), e.worker());
        } else if (e.kind().equals("SUCCEEDED")) {
          successes.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
        }
      }
    }

    int lost = 0;
    int stuck = 0;
    int failed = 0;
    int duplicates = 0;
    int startsAfterSuccess = 0;
    int misreportedLost = 0;
    int lostInCrash = 0;
    int misreportedSuccesses = 0;
    for (UUID id : checked) {
      Job job = stored.get(id);
      if (job == null) {
        lost++;
        violations.add("job " + id + " was enqueued but the backend does not have it");
        continue;
      }
      switch (job.state()) {
        case PENDING, RUNNING -> {
          stuck++;
          violations.add("job " + id + " is still " + job.state() + " after the scenario");
          continue;
        }
        case FAILED -> {
          failed++;
          if (!allowFailed) {
            violations.add(
                "job "
                    + id
                    + " FAILED: "
                    + (job.lastError() == null ? "(no error kept)" : job.lastError().message()));
          } else if (job.lastError() == null) {
            violations.add("job " + id + " FAILED without its error");
          }
          continue;
        }
        case CANCELLED -> {
          violations.add("job " + id + " was CANCELLED, which no scenario does");
          continue;
        }
        case SUCCEEDED -> {
          // checked below
        }
      }
      List<Execution> execs = executions.getOrDefault(id, List.of());
      int finalAttempt = job.attempt();
      Execution accepted = null;
      int finalExecutions = 0;
      for (Execution e : execs) {
        if (e.attempt() > finalAttempt) {
          violations.add(
              "job " + id + ": an execution of attempt " + e.attempt() + " after its final one");
        }
        if (accepted == null
            && e.attempt() == finalAttempt
            && e.finished()
            && !lostTokens.containsKey(e.token())) {
          accepted = e;
        }
        if (e.attempt() >= finalAttempt) {
          finalExecutions++;
        }
        if (job.finishedAt() != null && e.startedAt().isAfter(job.finishedAt())) {
          startsAfterSuccess++;
          // Once KNOWN DEFECT 1 (a resumed worker started prefetched jobs that had succeeded
          // elsewhere), fixed: RunningJob.leaseMayHaveExpired gives such a job back unstarted.
          violations.add(
              "job "
                  + id
                  + ": execution "
                  + e.token()
                  + " (pid "
                  + e.pid()
                  + ") started at "
                  + e.startedAt()
                  + ", after the job SUCCEEDED at "
                  + job.finishedAt());
        }
      }
      if (accepted == null && finalExecutions == 1) {
        // The one execution of the final attempt finished, its worker reported the lease lost, yet
        // the job SUCCEEDED: its finish was applied but the reply was lost (the server went away)
        // and the retried finish found the job already finished. Nobody else ran that attempt, so
        // no stale lease was involved, but the worker's "result discarded" was wrong. Once KNOWN
        // DEFECT 3, fixed (FinishBatcher.storedByAnEarlierTry): now a violation.
        for (Execution e : execs) {
          if (e.attempt() == finalAttempt && e.finished()) {
            accepted = e;
            misreportedLost++;
            violations.add(
                "job "
                    + id
                    + ": its success (execution "
                    + e.token()
                    + ") was stored, but the worker reported the result discarded");
          }
        }
      }
      if (accepted == null) {
        violations.add(
            "job "
                + id
                + " SUCCEEDED with attempt "
                + finalAttempt
                + " but no execution of that attempt finished under a lease it kept: a stale or"
                + " phantom completion was accepted; executions: "
                + execs);
      }
      List<WorkerProcess.Event> ok = successes.getOrDefault(id, List.of());
      List<WorkerProcess.Event> overturned = new ArrayList<>();
      for (WorkerProcess.Event e : ok) {
        boolean theFinalOne = accepted != null && e.token().equals(accepted.token());
        if (!theFinalOne) {
          overturned.add(e);
        }
      }
      WorkerProcess.Event finalEvent = null;
      for (WorkerProcess.Event e : ok) {
        if (accepted != null && e.token().equals(accepted.token())) {
          finalEvent = e;
        }
      }
      if (!overturned.isEmpty() && sameFinishBatch(finalEvent, overturned, finalAttempt)) {
        // Once KNOWN DEFECT 2: one finish batch held the stale result of attempt n and the
        // result of attempt n+1 of the same job (the worker got the job back after a rescue
        // while the old result still waited to be stored). The backend refused the stale one
        // (the job's attempt is n+1, and a claim after an accepted success cannot happen), but
        // the worker reported both as succeeded, since a FencedResult is keyed by job id. Fixed:
        // FinishBatcher stores such a pair in separate calls. Now a violation.
        misreportedSuccesses += overturned.size();
        violations.add(
            "job "
                + id
                + ": stale results reported as succeeded in the finish batch of the final one: "
                + overturned);
      } else if (!overturned.isEmpty()
          && s.crashMayLoseRecentCommits
          && allNearACrash(s, overturned)) {
        // PostgreSQL, documented (docs/guarantees.md, "Durability of the workers' own changes"):
        // worker commits are asynchronous, so a success acknowledged in the last moments before a
        // server crash can be lost, and the job runs again. Counted, not a violation.
        lostInCrash += overturned.size();
      } else {
        if (ok.size() > 1) {
          violations.add(
              "job "
                  + id
                  + ": the backend accepted "
                  + ok.size()
                  + " successes: "
                  + ok
                  + "; faults: "
                  + s.faults);
        }
        for (WorkerProcess.Event e : ok) {
          if (e.attempt() != finalAttempt) {
            violations.add(
                "job "
                    + id
                    + ": a success of attempt "
                    + e.attempt()
                    + " was accepted, but its final attempt is "
                    + finalAttempt);
          }
        }
      }
      if (execs.size() > 1) {
        duplicates += execs.size() - 1;
        for (Execution e : execs) {
          boolean explained =
              e == accepted || s.faultedPids.contains(e.pid()) || lostTokens.containsKey(e.token());
          if (!explained) {
            violations.add(
                "job "
                    + id
                    + ": duplicate execution "
                    + e.token()
                    + " on pid "
                    + e.pid()
                    + ", which no fault hit and which kept its lease");
          }
        }
      }
    }
    for (UUID id : executions.keySet()) {
      if (!stored.containsKey(id)) {
        violations.add("the ledger has executions of job " + id + ", which the backend lacks");
      }
    }

    Duration worst = null;
    for (Scenario.Rescue rescue : List.copyOf(s.rescues)) {
      if (worst == null || rescue.took().compareTo(worst) > 0) {
        worst = rescue.took();
      }
      int holderKills = holderKillsAround(List.copyOf(s.holderKills), rescue);
      Duration bound = ChaosSettings.rescueBound(holderKills);
      if (rescue.took().compareTo(bound) > 0) {
        violations.add(
            "a rescue after the fault at "
                + rescue.faultAt()
                + " took "
                + rescue.took().toMillis()
                + " ms, more than the bound of "
                + bound.toMillis()
                + " ms with "
                + holderKills
                + " kills of the maintenance lock's holder around it (see ChaosSettings)");
      }
    }
    int keysWithJobs = (int) s.idempotentIds.values().stream().filter(v -> !v.isEmpty()).count();
    return new Result(
        s.name,
        s.target.backend(),
        checked.size(),
        s.faults.size(),
        lost,
        stuck,
        failed,
        duplicates,
        startsAfterSuccess,
        lostTokens.size(),
        fencedFinishes(s),
        misreportedLost,
        misreportedSuccesses,
        lostInCrash,
        worst,
        s.rescues.size(),
        s.idempotentEnqueues.get(),
        keysWithJobs,
        List.copyOf(violations));
  }

  /**
   * Kills of the maintenance lock's holder that can have held {@code rescue} back: from one lock
   * TTL before its fault (that holder's lock may still have been in force) until the rescue.
   */
  static int holderKillsAround(List<Instant> holderKills, Scenario.Rescue rescue) {
    Instant from = rescue.faultAt().minus(ChaosSettings.WORKER_MAINTENANCE_LOCK_TTL);
    Instant to = rescue.faultAt().plus(rescue.took());
    return (int) holderKills.stream().filter(h -> !h.isBefore(from) && !h.isAfter(to)).count();
  }

  /**
   * True if every overturned success came from the worker that stored the final one, under another
   * lease of the same or an older attempt (the same attempt twice: the first claim was lost in a
   * PostgreSQL crash, so the job was claimed again as attempt 1), printed within 100 ms of it: the
   * two results were stored by one finish call.
   */
  private static boolean sameFinishBatch(
      WorkerProcess.Event finalEvent, List<WorkerProcess.Event> overturned, int finalAttempt) {
    if (finalEvent == null) {
      return false;
    }
    for (WorkerProcess.Event e : overturned) {
      boolean sameCall =
          e.pid() == finalEvent.pid()
              && e.attempt() <= finalAttempt
              && !e.token().equals(finalEvent.token())
              && Duration.between(e.at(), finalEvent.at()).abs().toMillis() <= 100;
      if (!sameCall) {
        return false;
      }
    }
    return true;
  }

  /** True if every event was seen within two seconds before (or one after) a server fault. */
  private static boolean allNearACrash(Scenario s, List<WorkerProcess.Event> events) {
    List<Scenario.Fault> crashes;
    synchronized (s.faults) {
      crashes = s.faults.stream().filter(f -> f.pid() == 0).toList();
    }
    for (WorkerProcess.Event e : events) {
      boolean near = false;
      for (Scenario.Fault f : crashes) {
        near |= !e.at().isBefore(f.at().minusSeconds(2)) && !e.at().isAfter(f.at().plusSeconds(1));
      }
      if (!near) {
        return false;
      }
    }
    return true;
  }

  /** Lines in the workers' logs saying the backend refused a finish because the lease was lost. */
  static int fencedFinishes(Scenario s) {
    int n = 0;
    for (WorkerProcess w : s.allProcesses) {
      Path log = w.log();
      if (!Files.exists(log)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(log)) {
        n +=
            (int)
                lines
                    .filter(
                        l -> l.contains("discarded: the lease was lost before it could be stored"))
                    .count();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read worker log " + log, e);
      }
    }
    return n;
  }

  private static Map<UUID, List<Execution>> readLedger(String schema) {
    Map<String, Execution> byToken = new LinkedHashMap<>();
    String sql =
        "SELECT job_id, attempt, lease_token, pid, phase, at FROM \""
            + schema
            + "\".ledger ORDER BY seq";
    try (Connection c = LedgerDatabase.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        UUID id = rs.getObject(1, UUID.class);
        String token = rs.getString(3);
        String phase = rs.getString(5);
        Instant at = rs.getTimestamp(6).toInstant();
        Execution prior = byToken.get(token);
        if (phase.equals(Ledger.STARTED)) {
          byToken.put(token, new Execution(id, rs.getInt(2), token, rs.getLong(4), at, false));
        } else if (prior != null) {
          byToken.put(
              token,
              new Execution(id, prior.attempt(), token, prior.pid(), prior.startedAt(), true));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger in schema " + schema, e);
    }
    Map<UUID, List<Execution>> byJob = new HashMap<>();
    for (Execution e : byToken.values()) {
      byJob.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
    }
    return byJob;
  }

  static boolean terminal(JobState s) {
    return s == JobState.SUCCEEDED || s == JobState.FAILED || s == JobState.CANCELLED;
  }
}
