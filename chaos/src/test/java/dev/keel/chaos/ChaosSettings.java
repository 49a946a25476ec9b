package dev.keel.chaos;

import java.time.Duration;

/**
 * Short form (the default, for CI) or long form ({@code -Dkeel.chaos.long=true}): how many jobs,
 * faults and seconds each scenario uses. Nothing here is a speed assertion; the long form only runs
 * more of the same.
 */
final class ChaosSettings {
  static final boolean LONG = Boolean.getBoolean("keel.chaos.long");

  /** Lease of every worker; heartbeat is a third of it, as the library's default ratio. */
  static final Duration LEASE = Duration.ofSeconds(3);

  static final Duration HEARTBEAT = LEASE.dividedBy(3);

  /** How often the test's node runs maintenance (rescue of expired leases). */
  static final Duration MAINTENANCE_INTERVAL = Duration.ofMillis(250);

  /** How often idle workers poll for jobs when no wake-up signal arrives. */
  static final Duration POLL = Duration.ofMillis(250);

  /**
   * The rescue bound checked after every fault: an expired lease is back to PENDING within lease +
   * one heartbeat interval + one maintenance interval + one second of slack. The lease of a killed
   * worker expires at most one lease after the kill (its last renewal happened before the kill);
   * the next maintenance run is at most one maintenance interval later; the watcher polls every 100
   * ms; the rest is slack for a 2-core machine running four JVMs and two servers.
   */
  static final Duration RESCUE_BOUND =
      LEASE.plus(HEARTBEAT).plus(MAINTENANCE_INTERVAL).plus(Duration.ofSeconds(1));

  /**
   * The maintenance lock's TTL when the workers run maintenance every {@link
   * #MAINTENANCE_INTERVAL}: twice the interval, at least 5 s (Keel's rule, see docs/guarantees.md).
   */
  static final Duration WORKER_MAINTENANCE_LOCK_TTL = Duration.ofSeconds(5);

  /**
   * The rescue bound of one fault when {@code holderKills} kills hit the maintenance lock's holder
   * between one lock TTL before the fault and the rescue (scenarios whose workers run maintenance).
   * A dead holder keeps the lock, and with it every rescue, until the lock's TTL runs out; a worker
   * that takes the lock over may itself be killed before its first rescue, so each such kill adds
   * up to one TTL: {@link #RESCUE_BOUND} + holderKills × {@link #WORKER_MAINTENANCE_LOCK_TTL}.
   */
  static Duration rescueBound(int holderKills) {
    return RESCUE_BOUND.plus(WORKER_MAINTENANCE_LOCK_TTL.multipliedBy(holderKills));
  }

  private ChaosSettings() {}

  /** Number of jobs of the kill scenarios. */
  static int killJobs() {
    return LONG ? 20_000 : 1_500;
  }

  /** Faults to inject in the kill scenarios. */
  static int kills() {
    return LONG ? 150 : 6;
  }

  /** Jobs of the other scenarios. */
  static int jobs() {
    return LONG ? 15_000 : 800;
  }

  /** Messages the outbox scenario records (while the faults run). */
  static int outboxMessages() {
    return LONG ? 3_000 : 600;
  }

  /** Pauses / stalls / restarts in the repeated scenarios. */
  static int rounds() {
    return LONG ? 4 : 1;
  }

  /** How long a server stays down in the outage scenarios. */
  static Duration outage() {
    return LONG ? Duration.ofSeconds(30) : Duration.ofSeconds(10);
  }

  /** Upper bound for a scenario to finish all its jobs once the faults stopped. */
  static Duration completion() {
    return LONG ? Duration.ofMinutes(30) : Duration.ofMinutes(2);
  }
}
