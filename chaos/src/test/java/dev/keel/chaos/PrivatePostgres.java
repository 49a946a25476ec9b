package dev.keel.chaos;

import dev.keel.queue.testkit.servers.TestServices;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of this test class alone, made with {@code initdb} in a temporary directory
 * and run with {@code pg_ctl} on a free loopback port, so that a scenario may restart it, crash it
 * or make it read-only without touching the shared server. initdb and postgres refuse to run as
 * root, so when the JVM is root they run as the {@code postgres} OS user through {@code runuser}.
 * fsync is off: durability of the machine is not under test, a crash of the server process is (and
 * {@code pg_ctl stop -m immediate} is exactly that; the OS keeps the written pages).
 */
final class PrivatePostgres implements AutoCloseable {
  private final int port = TestServices.freePort();
  private final Path dir;
  private final Path data;
  private final String bin;
  private boolean closed;

  PrivatePostgres() {
    this.bin = findBin();
    try {
      dir = Files.createTempDirectory("keel-chaos-pg");
      data = dir.resolve("data");
      if (isRoot()) {
        run(List.of("chown", "postgres:postgres", dir.toString()), false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for a private PostgreSQL", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stop-private-postgres"));
    pg(
        List.of(
            bin + "/initdb",
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions"));
    start();
  }

  private static String findBin() {
    File root = new File("/usr/lib/postgresql");
    File[] versions = root.listFiles();
    if (versions != null) {
      for (File v :
          Stream.of(versions).sorted(Comparator.comparing(File::getName).reversed()).toList()) {
        if (new File(v, "bin/pg_ctl").canExecute()) {
          return v.getPath() + "/bin";
        }
      }
    }
    throw new IllegalStateException(
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install postgresql (the"
            + " scenarios that restart a database run a private server with initdb and pg_ctl)");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  int port() {
    return port;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** The URL a Keel node is configured with, through {@code host:port} (e.g. a proxy). */
  static String keelUrl(String hostPort) {
    return "postgres://postgres@" + hostPort + "/postgres";
  }

  String keelUrl() {
    return keelUrl("127.0.0.1:" + port);
  }

  /** A superuser connection; not read-only even when the database is made read-only. */
  Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl() + "?connectTimeout=5", "postgres", null);
    try (Statement st = c.createStatement()) {
      st.execute("SET default_transaction_read_only = off");
    }
    return c;
  }

  void execute(String sql) {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("private PostgreSQL: " + sql + " failed", e);
    }
  }

  synchronized void start() {
    pg(
        List.of(
            bin + "/pg_ctl",
            "-D",
            data.toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-w",
            "-t",
            "60",
            "-o",
            "-p "
                + port
                + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                + dir
                + " -c fsync=off -c full_page_writes=off -c synchronous_commit=on"
                + " -c max_connections=200 -c shared_buffers=32MB",
            "start"));
  }

  /** {@code pg_ctl stop}: {@code fast} (clean shutdown) or {@code immediate} (a crash). */
  synchronized void stop(String mode) {
    pg(List.of(bin + "/pg_ctl", "-D", data.toString(), "-m", mode, "-w", "-t", "60", "stop"));
  }

  /** A fast restart: clean shutdown, then start at once. */
  synchronized void restartFast() {
    pg(
        List.of(
            bin + "/pg_ctl",
            "-D",
            data.toString(),
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "-l",
            dir.resolve("server.log").toString(),
            "restart"));
  }

  private void pg(List<String> command) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, true);
  }

  private void run(List<String> command, boolean logToDir) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      File log = logToDir ? dir.resolve("pg_ctl.log").toFile() : null;
      if (log != null) {
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
      }
      Process p = pb.start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 90 s");
      }
      if (p.exitValue() != 0) {
        String out =
            log != null
                ? Files.readString(log.toPath())
                : new String(p.getInputStream().readAllBytes());
        throw new IllegalStateException(
            String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop("immediate");
    } catch (RuntimeException e) {
      System.err.println("private PostgreSQL on port " + port + " did not stop cleanly: " + e);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      System.err.println("cannot delete " + dir + ": " + e);
    }
  }
}
