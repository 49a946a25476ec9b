package dev.keel.examples.recurring;

import dev.keel.queue.DrainReport;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.StartupMode;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.recurring.FireReport;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.recurring.ScheduleInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A nightly database backup at 02:00 Europe/Berlin that keeps 30 days of backups: one schedule
 * makes the backup, a second one at 03:30 deletes backups older than 30 days. Both are declared in
 * code; the backend stores them, so any number of service instances can run this and each night
 * still gets exactly one backup.
 *
 * <p>{@code inline} (the default) simulates 250 days (March to November) on a simulated clock in a
 * few hundred milliseconds, across both daylight-saving changes, and checks the result: one backup
 * per day, never more than 30 kept. {@code postgres} or {@code redis} declares the same schedules
 * on that server (URLs as in the README's demo), lists them with their next fire times, runs a
 * worker and fires the backup once by hand.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.keel.examples.recurring.NightlyBackupExample -Dexec.args=inline
 * </pre>
 */
public final class NightlyBackupExample {
  /** Back up one database. */
  public record Backup(String database) {}

  /** Delete backups older than {@code keepDays}. */
  public record Cleanup(int keepDays) {}

  public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  public static final int KEEP_DAYS = 30;

  /** Where backups go: a pretend object store, by backup time. */
  public static final class BackupStore {
    private final NavigableMap<Instant, String> backups = new ConcurrentSkipListMap<>();

    void write(Instant at, String database) {
      backups.put(at, database + "-" + LocalDate.ofInstant(at, BERLIN) + ".dump");
    }

    int deleteOlderThan(Instant cutoff) {
      NavigableMap<Instant, String> old = backups.headMap(cutoff, false);
      int n = old.size();
      old.clear();
      return n;
    }

    public NavigableMap<Instant, String> backups() {
      return backups;
    }
  }

  /** The two schedules. Cron times are Berlin local times: 02:00 and 03:30 all year. */
  public static List<Schedule> schedules() {
    return List.of(
        Schedule.cron("db.backup.nightly", "0 2 * * *")
            .zone(BERLIN)
            .job(JobRequest.of("db.backup", new Backup("orders")).withQueue("maintenance"))
            // A backup still running at the next 02:00 is not doubled up: that night waits.
            .overlap(OverlapPolicy.SKIP)
            .build(),
        Schedule.cron("db.backup.cleanup", "30 3 * * *")
            .zone(BERLIN)
            .job(
                JobRequest.of("db.backup.cleanup", new Cleanup(KEEP_DAYS)).withQueue("maintenance"))
            .build());
  }

  /** Registers the handlers and declares the schedules on {@code builder}. */
  public static Keel.Builder configure(
      Keel.Builder builder, BackupStore store, InstantSource clock) {
    builder
        .register(
            "db.backup",
            Backup.class,
            ctx -> {
              // A job of a schedule carries its fire time; a manual run uses "now".
              String fireTime = ctx.job().metadata().get(Schedule.FIRE_TIME_KEY);
              store.write(
                  fireTime != null ? Instant.parse(fireTime) : clock.instant(),
                  ctx.payload().database());
              return JobOutcome.success();
            })
        .register(
            "db.backup.cleanup",
            Cleanup.class,
            ctx -> {
              store.deleteOlderThan(
                  ZonedDateTime.ofInstant(clock.instant(), BERLIN)
                      .minusDays(ctx.payload().keepDays())
                      .toInstant());
              return JobOutcome.success();
            });
    for (Schedule s : schedules()) {
      builder.schedule(s);
    }
    return builder;
  }

  /** A clock the simulation moves by hand. */
  static final class SimulatedClock implements InstantSource {
    private final AtomicReference<Instant> now;

    SimulatedClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    void set(Instant t) {
      now.set(t);
    }
  }

  /**
   * What the simulation saw.
   *
   * @param maxKept most backups stored at once: 31 between a night's backup and its cleanup
   */
  public record SimulationResult(
      int days, int backupsMade, int backupsKept, int maxKept, List<Instant> keptBackupTimes) {}

  /**
   * Runs {@code days} days from {@code start} on the inline backend: at each fire time the due
   * schedules fire and their jobs run, as a worker would do in real time.
   */
  public static SimulationResult simulate(Instant start, int days, PrintStream out) {
    SimulatedClock clock = new SimulatedClock(start);
    BackupStore store = new BackupStore();
    Instant end = start.plus(Duration.ofDays(days));
    int made = 0;
    int maxKept = 0;
    try (Keel keel =
        configure(Keel.builder().backend(InlineBackend.create(clock)).clock(clock), store, clock)
            .build()) {
      while (true) {
        FireReport r = keel.schedules().fireDue();
        while (keel.drain().stoppedBecause() != DrainReport.StopReason.IDLE) {
          // drain() runs a bounded number per call; go on until nothing is due.
        }
        maxKept = Math.max(maxKept, store.backups().size());
        if (r.moreDue()) {
          continue;
        }
        Instant next = r.nextFireAt();
        if (next == null || next.isAfter(end)) {
          break;
        }
        clock.set(next);
      }
      made = (int) keel.health().count(JobState.SUCCEEDED);
      for (ScheduleInfo s : keel.schedules().list()) {
        out.printf(
            "  %-18s %-38s last fired %s, next %s%n",
            s.name(), s.trigger().describe(), s.lastFireAt(), s.nextFireTimes().get(0));
      }
    }
    out.printf(
        "Simulated %d days: %d jobs ran, %d backups kept (at most %d at any time), oldest %s%n",
        days, made, store.backups().size(), maxKept, store.backups().firstEntry().getValue());
    return new SimulationResult(
        days, made, store.backups().size(), maxKept, List.copyOf(store.backups().keySet()));
  }

  /** Declares the schedules on a real server, lists them, and runs the backup once by hand. */
  static boolean onServer(String backend, Map<String, String> environment, PrintStream out)
      throws InterruptedException {
    Map<String, String> env = new HashMap<>(environment);
    env.put("KEEL_BACKEND", backend);
    env.putIfAbsent("KEEL_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    env.putIfAbsent("KEEL_DATABASE_SCHEMA", "keel_backup_example");
    env.putIfAbsent("KEEL_REDIS_URL", "redis://127.0.0.1:6379");
    env.putIfAbsent("KEEL_REDIS_NAMESPACE", "keel-backup-example");
    BackupStore store = new BackupStore();
    InstantSource clock = InstantSource.system();
    try (Keel keel =
            configure(Keel.builder().fromEnvironment(env, StartupMode.FAIL_FAST), store, clock)
                .build();
        Worker worker = keel.worker().queue("maintenance", 1).build().start()) {
      for (ScheduleInfo s : keel.schedules().list()) {
        out.printf("  %-18s %s, next: %s%n", s.name(), s.trigger().describe(), s.nextFireTimes());
      }
      UUID id = keel.schedules().trigger("db.backup.nightly").id();
      for (int i = 0; i < 300; i++) {
        JobState state = keel.client().find(id).orElseThrow().state();
        if (state.isTerminal()) {
          out.println(
              "Manual backup " + id + ": " + state + ", stored " + store.backups().values());
          return state == JobState.SUCCEEDED;
        }
        Thread.sleep(100);
      }
      out.println("Manual backup " + id + " did not finish within 30 s");
      return false;
    }
  }

  public static void main(String[] args) throws Exception {
    String backend = args.length > 0 ? args[0] : "inline";
    boolean ok;
    if (backend.equals("inline")) {
      SimulationResult r = simulate(Instant.parse("2026-03-01T00:00:00Z"), 250, System.out);
      ok = r.backupsMade() == 2 * 250 && r.backupsKept() == KEEP_DAYS;
    } else {
      ok = onServer(backend, System.getenv(), System.out);
    }
    System.out.println(ok ? "Backup example finished as expected." : "Backup example FAILED.");
    System.exit(ok ? 0 : 1);
  }
}
