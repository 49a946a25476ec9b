package dev.keel.queue.testkit.servers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} that also accepts TLS, with a certificate from a throwaway CA made
 * by {@code openssl} for this server alone. The certificate names only the host {@code localhost},
 * so a client that verifies host names accepts {@code localhost} and refuses {@code 127.0.0.1}.
 * Needs {@code redis-server} built with TLS (Debian's is) and {@code openssl} on the PATH.
 */
public final class ThrowawayTlsRedisServer implements AutoCloseable {
  private final int port = TestServices.freePort();
  private final int tlsPort = otherFreePort(port);
  private final Path dir;
  private final Process process;
  private boolean closed;

  public ThrowawayTlsRedisServer() {
    try {
      dir = Files.createTempDirectory("keel-redis-tls");
      makeCertificates();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot make test certificates: install openssl (e.g. apt-get install openssl)", e);
    }
    try {
      process =
          RedisServerProcess.start(
              port,
              dir,
              List.of(
                  "--tls-port",
                  Integer.toString(tlsPort),
                  "--tls-cert-file",
                  dir.resolve("server.crt").toString(),
                  "--tls-key-file",
                  dir.resolve("server.key").toString(),
                  "--tls-ca-cert-file",
                  dir.resolve("ca.crt").toString(),
                  "--tls-auth-clients",
                  "no"));
    } catch (IOException e) {
      throw RedisServerProcess.cannotStart(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stop-throwaway-tls-redis"));
    try {
      await("redis-server with TLS on port " + tlsPort)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> RedisProbe.answersPing("127.0.0.1", port));
    } catch (RuntimeException e) {
      String log = readLog();
      close();
      throw new IllegalStateException(
          "redis-server with TLS did not start (is it built with TLS?); its log:\n" + log, e);
    }
  }

  private static int otherFreePort(int taken) {
    int p = TestServices.freePort();
    while (p == taken) {
      p = TestServices.freePort();
    }
    return p;
  }

  private String readLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** The port that speaks TLS. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The PEM certificate of the CA that signed the server's certificate. */
  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  private void makeCertificates() throws IOException {
    Files.writeString(
        dir.resolve("server.ext"), "subjectAltName=DNS:localhost\n", StandardCharsets.UTF_8);
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Keel test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt");
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr");
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt");
  }

  private void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "openssl "
                + String.join(" ", args)
                + " failed: "
                + Files.readString(dir.resolve("openssl.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making test certificates", e);
    }
  }

  /** Stops the server and deletes its directory, CA key included. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RedisServerProcess.stop(List.of(process));
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
