package dev.keel.queue.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting and stopping {@code redis-server} processes, shared by the throwaway servers. */
final class RedisServerProcess {
  private RedisServerProcess() {}

  /**
   * Starts {@code redis-server} on loopback {@code port}, without RDB snapshots, with its data and
   * log ({@code server.log}) in {@code dir}.
   *
   * @param extraArgs further {@code --option value} pairs
   */
  static Process start(int port, Path dir, List<String> extraArgs) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                dir.toString()));
    command.addAll(extraArgs);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("server.log").toFile())
        .start();
  }

  /** The failure for a {@code redis-server} that would not start. */
  static UncheckedIOException cannotStart(IOException e) {
    return new UncheckedIOException(
        "cannot start redis-server: install it (e.g. apt-get install redis-server)", e);
  }

  /** Stops {@code processes}: politely, then forcibly after five seconds. */
  static void stop(List<Process> processes) {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
