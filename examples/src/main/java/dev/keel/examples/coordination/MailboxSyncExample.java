package dev.keel.examples.coordination;

import dev.keel.queue.FencedLock;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One sync per mailbox at a time, across two nodes, with a concurrency key; and a ledger that
 * refuses writers holding a stale fencing token.
 *
 * <p>Two {@code Keel} nodes share one backend, each with a worker running 4 jobs at once. 40 syncs
 * of 5 mailboxes are enqueued; the type's concurrency rule keys each job by its mailbox with limit
 * 1, so however the 8 worker threads pick jobs, a mailbox is synced by one of them at a time. Then
 * a fenced lock guards a ledger that remembers the greatest token it accepted: a write with an
 * older token (a holder that lost the lock and came back) is refused.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.keel.examples.coordination.MailboxSyncExample
 * </pre>
 */
public final class MailboxSyncExample {
  /** Sync one mailbox. */
  public record Sync(String mailbox, int round) {}

  /** What the run saw. */
  public record Result(int syncs, Map<String, Integer> mostAtOnceByMailbox, boolean staleRefused) {}

  /** A resource that refuses writes fenced by a token lower than the greatest it accepted. */
  public static final class Ledger {
    private long greatest;
    private final List<String> lines = new ArrayList<>();

    public synchronized boolean write(String line, long token) {
      if (token < greatest) {
        return false;
      }
      greatest = token;
      lines.add(line);
      return true;
    }

    public synchronized List<String> lines() {
      return List.copyOf(lines);
    }
  }

  public static Result run(PrintStream out) throws Exception {
    Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
    Map<String, Integer> most = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    JobType<Sync> sync =
        JobType.of(
                "mailbox.sync",
                Sync.class,
                ctx -> {
                  String m = ctx.payload().mailbox();
                  int now = inside.computeIfAbsent(m, k -> new AtomicInteger()).incrementAndGet();
                  most.merge(m, now, Math::max);
                  try {
                    TimeUnit.MILLISECONDS.sleep(10); // fetch and store the mailbox's new mail
                  } finally {
                    inside.get(m).decrementAndGet();
                  }
                  done.incrementAndGet();
                  return JobOutcome.success();
                })
            .withConcurrency(s -> "mailbox:" + s.mailbox(), 1);

    InlineBackend backend = InlineBackend.create();
    QueueBackend secondNode = sharing(backend);
    try (Keel one = Keel.builder().backend(backend).register(sync).build();
        Keel two = Keel.builder().backend(secondNode).register(sync).build()) {
      List<JobRequest<Sync>> syncs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        syncs.add(JobRequest.of("mailbox.sync", new Sync("mailbox-" + (i % 5), i / 5)));
      }
      one.client().enqueueAll(syncs);
      try (Worker w1 =
              one.worker().queue("default", 4).pollInterval(Duration.ofMillis(20)).build().start();
          Worker w2 =
              two.worker()
                  .queue("default", 4)
                  .pollInterval(Duration.ofMillis(20))
                  .build()
                  .start()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (done.get() < syncs.size() && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(10);
        }
      }
      out.println("syncs run: " + done.get() + " of " + syncs.size());
      Map<String, Integer> sorted = new TreeMap<>(most);
      sorted.forEach((m, n) -> out.println(m + ": at most " + n + " sync at once"));

      Ledger ledger = new Ledger();
      FencedLock first = one.locks().acquire("ledger", Duration.ofSeconds(5));
      long staleToken = first.token();
      ledger.write("first holder", staleToken);
      first.close(); // as if it paused past its lease: someone else takes the lock
      boolean staleRefused;
      try (FencedLock second = two.locks().acquire("ledger", Duration.ofSeconds(5))) {
        ledger.write("second holder", second.token());
        staleRefused = !ledger.write("first holder, back late", staleToken);
        out.println(
            "ledger: token "
                + second.token()
                + " accepted, stale token "
                + staleToken
                + (staleRefused ? " refused" : " ACCEPTED"));
      }
      return new Result(done.get(), sorted, staleRefused);
    }
  }

  /** A second node's view of the same in-memory backend (the first node closes it). */
  private static QueueBackend sharing(QueueBackend backend) {
    return new ForwardingQueueBackend() {
      @Override
      protected QueueBackend delegate() {
        return backend;
      }

      @Override
      public void close() {}
    };
  }

  public static void main(String[] args) throws Exception {
    Result r = run(System.out);
    boolean ok =
        r.syncs() == 40
            && r.mostAtOnceByMailbox().values().stream().allMatch(n -> n == 1)
            && r.staleRefused();
    System.out.println(
        ok ? "Mailbox sync example finished as expected." : "Mailbox sync example FAILED.");
    System.exit(ok ? 0 : 1);
  }
}
