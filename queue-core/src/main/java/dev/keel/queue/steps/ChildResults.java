package dev.keel.queue.steps;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The outcome of a {@code ctx.children} step, stored like any step result: a later attempt gets the
 * same answer without enqueueing or waiting again.
 *
 * @param batchId the batch the children were enqueued as ({@code client.batch(tenant, batchId)})
 * @param children in the order they were given
 */
public record ChildResults<R>(UUID batchId, List<ChildResult<R>> children) {
  public ChildResults {
    Objects.requireNonNull(batchId, "batchId");
    children = List.copyOf(children);
  }

  /** True if every child SUCCEEDED. */
  public boolean allSucceeded() {
    return children.stream().allMatch(ChildResult::succeeded);
  }

  /** The results of the children that succeeded, in order (nulls for those that returned none). */
  public List<R> results() {
    return children.stream().filter(ChildResult::succeeded).map(ChildResult::result).toList();
  }

  /** The children that did not succeed. */
  public List<ChildResult<R>> failures() {
    return children.stream().filter(c -> !c.succeeded()).toList();
  }
}
