package dev.keel.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between worker processes and a server, with one thread pair per
 * connection, that can hold every byte without closing anything ({@link #stall}), add latency to
 * every chunk ({@link #latency}) and reset every connection ({@link #cutAll}). New connections made
 * while stalled are accepted and stalled too, as a network partition would leave them.
 */
final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean stalled;
  private volatile long latencyMillis;
  private volatile boolean closed;

  TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the proxy's port", e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Holds every byte in both directions from now on; connections stay open. */
  void stall() {
    stalled = true;
  }

  /** Forwards again, held bytes first. */
  void release() {
    stalled = false;
  }

  void latency(long millis) {
    latencyMillis = millis;
  }

  /** Resets (RST) every open connection; new ones are accepted as before. */
  void cutAll() {
    for (Socket s : sockets) {
      reset(s);
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // Already closed by the other side: nothing left to reset.
      System.err.println("proxy: reset of a closed socket: " + e.getMessage());
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("proxy: accept failed: " + e.getMessage());
        }
        return;
      }
      connections.incrementAndGet();
      Socket upstream;
      try {
        upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      } catch (IOException e) {
        // The server is down: the client sees its connection reset, as it would without us.
        reset(client);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      start(client, upstream, "up");
      start(upstream, client, "down");
    }
  }

  private void start(Socket from, Socket to, String direction) {
    Thread t = new Thread(() -> pump(from, to), "tcp-proxy-" + direction + "-" + from.getPort());
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        while (stalled && !closed) {
          Thread.sleep(10);
        }
        long latency = latencyMillis;
        if (latency > 0) {
          Thread.sleep(latency);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (SocketException e) {
      // Reset by cutAll, or by an end that went away: the other end is reset too.
      reset(to);
    } catch (IOException e) {
      System.err.println("proxy: connection failed: " + e.getMessage());
      reset(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reset(to);
    } finally {
      sockets.remove(from);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      System.err.println("proxy: closing the listening socket failed: " + e.getMessage());
    }
    cutAll();
  }
}
