package dev.keel.outbox.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Turns a host name into addresses; the system resolver unless a test substitutes one. */
@FunctionalInterface
public interface HostResolver {
  List<InetAddress> resolve(String host) throws UnknownHostException;

  HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
}
