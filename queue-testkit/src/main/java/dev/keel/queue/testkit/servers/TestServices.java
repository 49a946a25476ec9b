package dev.keel.queue.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The discovery steps every test server goes through, and the loopback ports they use. A service is
 * looked up in this order: an explicit URL in an environment variable, the local default port if it
 * answers, a module-supplied fallback (Testcontainers, where the module has it), else a failure
 * saying what to start.
 */
public final class TestServices {
  private TestServices() {}

  /** The value of environment variable {@code variable}, unless it is unset or blank. */
  public static Optional<String> explicitUrl(String variable) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /**
   * The first of: {@code explicit}, {@code local}, {@code fallback}; a failure with {@code
   * whatToStart} if none gives a server.
   *
   * @param explicit the explicit setting (see {@link #explicitUrl(String)})
   * @param local the local default if it answers
   * @param fallback a server the module can start itself (e.g. with Testcontainers), or empty
   * @param whatToStart the message of the failure when there is no server at all
   * @throws IllegalStateException if none gives a server
   */
  public static <T> T locate(
      Optional<T> explicit,
      Supplier<Optional<T>> local,
      Supplier<Optional<T>> fallback,
      String whatToStart) {
    return explicit
        .or(local)
        .or(fallback)
        .orElseThrow(() -> new IllegalStateException(whatToStart));
  }

  /** A fallback that never finds a server, for modules without Testcontainers. */
  public static <T> Supplier<Optional<T>> noFallback() {
    return Optional::empty;
  }

  /** True if {@code port} can be bound on the loopback address right now. */
  public static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort() == port;
    } catch (IOException e) {
      return false; // taken: the caller picks another port
    }
  }

  /** A loopback port free right now, chosen by the operating system. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pick a free port", e);
    }
  }
}
