package dev.keel.queue.spi;

import dev.keel.queue.EnqueueResult;
import java.util.List;

/** One result per requested job, in request order. */
/**
 * The results of an enqueue, one per job in request order. {@code resolvedInWrite}: the backend
 * already resolved the request's linked jobs (dependencies that had ended, a batch left without
 * members) inside the same write, so core must not resolve them again from another connection,
 * which could wait on locks the caller's still-open transaction holds.
 */
public record EnqueueResponse(List<EnqueueResult> results, boolean resolvedInWrite) {
  public EnqueueResponse {
    results = List.copyOf(results);
  }

  /** A response whose backend left the resolution of linked jobs to core. */
  public EnqueueResponse(List<EnqueueResult> results) {
    this(results, false);
  }
}
