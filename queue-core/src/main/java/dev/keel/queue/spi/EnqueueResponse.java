package dev.keel.queue.spi;

import dev.keel.queue.EnqueueResult;
import java.util.List;

/** One result per requested job, in request order. */
public record EnqueueResponse(List<EnqueueResult> results) {
  public EnqueueResponse {
    results = List.copyOf(results);
  }
}
