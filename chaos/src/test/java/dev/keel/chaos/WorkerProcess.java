package dev.keel.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One {@link WorkerMain} in a JVM of its own, started with this JVM's {@code java} and classpath.
 * Its standard output is parsed into {@link Event}s; its standard error (Keel's log) goes to a
 * file, read after the scenario for the backend's refusals of stale finishes.
 */
final class WorkerProcess {
  /** Every process started by any scenario, killed at JVM exit if still alive. */
  private static final Set<Process> ALL = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> ALL.forEach(p -> p.destroyForcibly()), "kill-chaos-worker-processes"));
  }

  /** A line the worker printed. */
  record Event(
      String kind, UUID jobId, int attempt, String token, String worker, long pid, Instant at) {}

  private final String name;
  private final Process process;
  private final Path log;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final List<Event> sink;

  private WorkerProcess(String name, Process process, Path log, List<Event> sink) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.sink = sink;
  }

  static WorkerProcess start(String name, Map<String, String> env, Path logDir, List<Event> sink) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp",
                System.getProperty("java.class.path"),
                WorkerMain.class.getName()));
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      pb.environment().put("CHAOS_WORKER_NAME", name);
      Process p = pb.start();
      ALL.add(p);
      WorkerProcess w = new WorkerProcess(name, p, log, sink);
      Thread reader = new Thread(w::readStdout, "chaos-stdout-" + name);
      reader.setDaemon(true);
      reader.start();
      return w;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start worker process " + name, e);
    }
  }

  private void readStdout() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.split(" ");
        if (f.length >= 2 && f[0].equals("CHAOS") && f[1].equals("READY")) {
          ready.countDown();
        } else if (f.length == 5 && f[0].equals("CHAOS")) {
          sink.add(
              new Event(
                  f[1],
                  UUID.fromString(f[2]),
                  Integer.parseInt(f[3]),
                  f[4],
                  name,
                  process.pid(),
                  Instant.now()));
        } else {
          System.out.println("[" + name + "] " + line);
        }
      }
    } catch (IOException e) {
      // The process was killed mid-line: what it printed before is kept.
      System.err.println("[" + name + "] stdout closed: " + e.getMessage());
    }
  }

  /** Waits until the worker runs; fails with its log if it does not start. */
  WorkerProcess awaitReady() {
    try {
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "worker " + name + " did not start in 60 s; its log:\n" + logText());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("worker " + name + " exited; its log:\n" + logText());
    }
    return this;
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (IOException e) {
      return "(unreadable log: " + e + ")";
    }
  }

  /** SIGKILL, and wait until it is gone. Returns the moment the signal was sent. */
  Instant kill() {
    Instant at = Instant.now();
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("worker " + name + " survived SIGKILL for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted killing " + name, e);
    }
    ALL.remove(process);
    return at;
  }

  /** SIGSTOP: the process freezes, sockets open, nothing runs. */
  Instant pause() {
    Instant at = Instant.now();
    signal("-STOP");
    return at;
  }

  /** SIGCONT. */
  void resume() {
    signal("-CONT");
  }

  private void signal(String sig) {
    try {
      Process p = new ProcessBuilder("kill", sig, Long.toString(process.pid())).start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill " + sig, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending " + sig, e);
    }
  }

  /** Ends the process for good at the end of a scenario (SIGCONT first, in case it is paused). */
  void destroy() {
    if (process.isAlive()) {
      try {
        signal("-CONT");
      } catch (RuntimeException e) {
        System.err.println("[" + name + "] SIGCONT before kill failed: " + e.getMessage());
      }
      kill();
    }
  }
}
