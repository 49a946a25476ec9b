package dev.keel.queue.testkit.servers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Asks a Redis server one question over a plain socket in the RESP protocol, so the testkit needs
 * no Redis client library. Any failure (nothing listening, not Redis, a password required) means
 * "no answer".
 */
public final class RedisProbe {
  private static final int TIMEOUT_MILLIS = 300;

  private RedisProbe() {}

  /** True if a Redis server at {@code host:port} answers PING with PONG. */
  public static boolean answersPing(String host, int port) {
    return command(host, port, "PING").map("PONG"::equals).orElse(false);
  }

  /** True if the Redis Cluster node at {@code host:port} reports {@code cluster_state:ok}. */
  public static boolean clusterStateOk(String host, int port) {
    return command(host, port, "CLUSTER", "INFO")
        .map(info -> info.contains("cluster_state:ok"))
        .orElse(false);
  }

  /** True if every node on the loopback {@code ports} reports {@code cluster_state:ok}. */
  public static boolean clusterStateOk(Iterable<Integer> ports) {
    for (int port : ports) {
      if (!clusterStateOk("127.0.0.1", port)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The simple-string or bulk-string reply to {@code args}, empty on any failure or error reply.
   */
  static Optional<String> command(String host, int port, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS * 5);
      OutputStream out = socket.getOutputStream();
      out.write(encode(args));
      out.flush();
      return readReply(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // nothing listening, not Redis, or not ready: the caller moves on
    }
  }

  private static byte[] encode(String... args) {
    StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      b.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Optional<String> readReply(InputStream in) throws IOException {
    String line = readLine(in);
    if (line.startsWith("+")) {
      return Optional.of(line.substring(1));
    }
    if (line.startsWith("$")) {
      int length = Integer.parseInt(line.substring(1));
      if (length < 0) {
        return Optional.empty();
      }
      byte[] body = in.readNBytes(length);
      return Optional.of(new String(body, StandardCharsets.UTF_8));
    }
    return Optional.empty(); // an error reply such as -NOAUTH, or something that is not Redis
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed mid-reply");
      }
      if (previous == '\r' && c == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(c);
      previous = c;
      if (line.size() > 4096) {
        throw new IOException("reply line too long: not Redis");
      }
    }
  }
}
