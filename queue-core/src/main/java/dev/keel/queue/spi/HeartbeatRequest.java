package dev.keel.queue.spi;

import dev.keel.queue.Lease;
import java.time.Duration;
import java.util.List;

/** Extend every given lease to {@code backendNow + leaseDuration} and set heartbeatAt. */
public record HeartbeatRequest(List<Lease> leases, Duration leaseDuration) {
  public HeartbeatRequest {
    leases = List.copyOf(leases);
  }
}
