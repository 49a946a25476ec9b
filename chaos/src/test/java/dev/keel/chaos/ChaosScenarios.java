package dev.keel.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The scenarios every backend runs: worker processes killed (SIGKILL) and paused (SIGSTOP) at
 * random moments. A subclass says where the queue lives.
 */
abstract class ChaosScenarios {
  /** The backend's short name in scenario names: {@code pg} or {@code redis}. */
  abstract String prefix();

  /** A fresh queue location (schema or namespace) for {@code scenario}. */
  abstract Scenario.Target target(String scenario);

  abstract LedgerDatabase ledger();

  /** The private server's port, for a proxy in front of it. */
  abstract int serverPort();

  /** The backend URL through {@code 127.0.0.1:port}. */
  abstract String urlVia(int port);

  /** The owner of the maintenance lock of {@code t}'s queue, if a live one holds it. */
  abstract java.util.Optional<String> maintenanceLockHolder(Scenario.Target t);

  @Test
  void sigkillOfWorkersAtRandomMoments() {
    try (Scenario s = Scenario.of(prefix() + "-sigkill", target("sigkill"), ledger(), 3)) {
      s.enqueueBulk(ChaosSettings.killJobs());
      s.startWorkers();
      s.startIdempotentLoad(20);
      int kills =
          s.injectUntilDone(
              ChaosSettings.kills(),
              Duration.ofMillis(500),
              Duration.ofMillis(1500),
              () -> s.killAndRestart(ThreadLocalRandom.current().nextInt(s.workers())));
      s.stopIdempotentLoad();
      s.awaitQuiet();
      LedgerCheck.Result r = Verdict.of(s);
      assertThat(kills).as("kills injected").isGreaterThanOrEqualTo(3);
      assertThat(r.rescues()).as("rescues measured").isPositive();
    }
  }

  /**
   * As {@link #sigkillOfWorkersAtRandomMoments}, but the workers run maintenance themselves, every
   * 250 ms, as a production deployment does: a kill may hit the worker holding the maintenance
   * lock, and another worker must take over rescuing once that lock's TTL (5 s) runs out.
   */
  @Test
  void sigkillOfWorkersThatRunMaintenance() {
    Scenario.Target t = target("sigkillmaint");
    try (Scenario s =
        Scenario.withMaintenanceInWorkers(prefix() + "-sigkill-maint", t, ledger(), 3)) {
      // Twice the jobs of the other kill scenario: a run that drains before three kills proves
      // nothing about the lock.
      s.enqueueBulk(2 * ChaosSettings.killJobs());
      s.startWorkers();
      java.util.concurrent.atomic.AtomicInteger round =
          new java.util.concurrent.atomic.AtomicInteger();
      int kills =
          s.injectUntilDone(
              ChaosSettings.kills(),
              Duration.ofMillis(500),
              Duration.ofMillis(1500),
              () -> {
                // Every other kill is aimed at the maintenance lock's holder; the others are
                // random and may hit it too (killAndRestart tells which did).
                int slot = ThreadLocalRandom.current().nextInt(s.workers());
                if (round.getAndIncrement() % 2 == 0) {
                  java.util.Optional<String> holder = maintenanceLockHolder(t);
                  for (int i = 0; i < s.workers() && holder.isPresent(); i++) {
                    WorkerProcess w = s.worker(i);
                    if (holder.get().equals(w.name() + "-" + w.pid())) {
                      slot = i;
                    }
                  }
                }
                s.killAndRestart(slot, () -> maintenanceLockHolder(t));
              });
      s.awaitQuiet();
      LedgerCheck.Result r = Verdict.of(s);
      assertThat(kills).as("kills injected").isGreaterThanOrEqualTo(3);
      assertThat(s.holderKills).as("kills of the maintenance lock's holder").isNotEmpty();
      assertThat(r.rescues()).as("rescues measured").isPositive();
    }
  }

  /**
   * A worker frozen with SIGSTOP while it runs jobs, for longer than its lease: its jobs are
   * rescued and finished by the others; resumed with SIGCONT, it must not get any of its late
   * results accepted, and it reports each as a lost lease.
   */
  @Test
  void sigstopPastTheLeaseThenSigcont() {
    try (Scenario s = Scenario.of(prefix() + "-sigstop", target("sigstop"), ledger(), 3)) {
      s.enqueueBulk(ChaosSettings.jobs());
      s.startWorkers();
      s.startIdempotentLoad(20);
      int pauses = 0;
      int stalledExecutions = 0;
      while (pauses < ChaosSettings.rounds() && s.remaining() > 0) {
        Scenario.sleep(ThreadLocalRandom.current().nextLong(500, 1500));
        WorkerProcess w = s.worker(ThreadLocalRandom.current().nextInt(s.workers()));
        Instant at = w.pause();
        int inFlight = s.inFlight(w.pid(), at).size();
        if (inFlight == 0) {
          w.resume(); // idle at that moment: nothing to prove; try again
          continue;
        }
        s.recordFault("SIGSTOP", w, at);
        s.watchRescue(w.pid(), at);
        stalledExecutions += inFlight;
        Scenario.sleep(ChaosSettings.LEASE.plus(ChaosSettings.HEARTBEAT).plusSeconds(2).toMillis());
        w.resume();
        pauses++;
      }
      s.stopIdempotentLoad();
      s.awaitQuiet();
      LedgerCheck.Result r = Verdict.of(s);
      assertThat(pauses).as("pauses injected").isEqualTo(ChaosSettings.rounds());
      assertThat(r.rescues()).as("rescued executions of the paused worker").isPositive();
      assertThat(r.staleRejected())
          .as("late results of the paused worker discarded (of %d in flight)", stalledExecutions)
          .isPositive();
    }
  }

  /**
   * One worker reaches the server through a TCP proxy; the others directly. The proxy stalls (bytes
   * held, nothing closed) for longer than the lease, as a partition of that worker would, while the
   * others take over its jobs; then it forwards again and none of the cut-off worker's late results
   * may be accepted. Then latency on every chunk, then every connection reset.
   */
  @Test
  void partitionOfOneWorkerByAStalledProxyThenLatencyThenResets() {
    try (TcpProxy proxy = new TcpProxy(serverPort())) {
      Scenario.Target t = target("proxy");
      String direct = t.url();
      String viaProxy = urlVia(proxy.port());
      try (Scenario s =
          new Scenario(
              prefix() + "-proxy",
              t,
              ledger(),
              3,
              4,
              slot -> slot == 0 ? viaProxy : direct,
              slot -> 0L,
              false)) {
        s.enqueueBulk(ChaosSettings.jobs());
        s.startWorkers();
        s.startIdempotentLoad(20);
        WorkerProcess cutOff = s.worker(0);
        int stalls = 0;
        for (int round = 0; round < ChaosSettings.rounds() && s.remaining() > 0; round++) {
          Scenario.sleep(ThreadLocalRandom.current().nextLong(500, 1500));
          Instant at = java.time.Instant.now();
          proxy.stall();
          s.recordFault("STALL", cutOff, at);
          s.watchRescue(cutOff.pid(), at);
          Scenario.sleep(
              ChaosSettings.LEASE.plus(ChaosSettings.HEARTBEAT).plusSeconds(2).toMillis());
          proxy.release();
          stalls++;
          Scenario.sleep(500);
          s.recordFault("LATENCY-50ms", cutOff, Instant.now());
          proxy.latency(50);
          Scenario.sleep(1500);
          proxy.latency(0);
          s.recordFault("RESET", cutOff, Instant.now());
          proxy.cutAll();
        }
        s.stopIdempotentLoad();
        s.awaitQuiet();
        LedgerCheck.Result r = Verdict.of(s);
        assertThat(stalls).as("stalls injected").isEqualTo(ChaosSettings.rounds());
        assertThat(proxy.connections()).as("the worker really used the proxy").isPositive();
        assertThat(cutOff.isAlive()).as("the cut-off worker survived its partition").isTrue();
      }
    }
  }

  /**
   * Worker nodes whose clocks are minutes off (injected with {@code Keel.builder().clock}): +5 min,
   * -5 min, +90 s. Leases are timed by the backend, so no healthy worker loses one (a lease taken
   * on a clock 5 minutes slow would look expired at once), and the jobs of the worker killed midway
   * (the one 5 minutes ahead) are still rescued within the bound (a lease timed by its clock would
   * hold 5 minutes too long).
   */
  @Test
  void clockSkewBetweenNodes() {
    long[] skews = {5 * 60_000L, -5 * 60_000L, 90_000L};
    Scenario.Target t = target("skew");
    try (Scenario s =
        new Scenario(
            prefix() + "-clock-skew",
            t,
            ledger(),
            3,
            4,
            slot -> t.url(),
            slot -> skews[slot],
            false)) {
      s.enqueueBulk(ChaosSettings.jobs());
      s.startWorkers();
      s.startIdempotentLoad(20);
      Scenario.sleep(1500);
      // Kill it while it holds jobs, so that there are rescues to measure (CI once killed it idle).
      org.awaitility.Awaitility.await("worker 0 holds jobs")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> !s.inFlight(s.worker(0).pid(), java.time.Instant.now()).isEmpty());
      s.killAndRestart(0);
      s.stopIdempotentLoad();
      s.awaitQuiet();
      LedgerCheck.Result r = Verdict.of(s);
      assertThat(r.staleRejected()).as("leases lost by skewed but healthy workers").isZero();
      assertThat(r.rescues()).as("rescues of the killed worker's jobs").isPositive();
    }
  }
}
