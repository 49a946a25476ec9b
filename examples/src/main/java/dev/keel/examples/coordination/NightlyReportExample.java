package dev.keel.examples.coordination;

import dev.keel.queue.BatchRequest;
import dev.keel.queue.BatchResult;
import dev.keel.queue.BatchStatus;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A nightly report fanned out to 1,000 chunks, with a summary callback and a job that waits for the
 * summary.
 *
 * <p>The 1,000 chunk jobs are one batch, at most 16 of them running at once; one chunk in every 250
 * fails for good. The batch's on-complete callback ({@code report.summary}) is released once, when
 * every chunk ended, and reads the batch's final counts; an on-success callback would have been
 * cancelled, since not all chunks succeeded. A {@code report.publish} job, enqueued with the batch,
 * depends on the summary job and runs after it.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.keel.examples.coordination.NightlyReportExample
 * </pre>
 */
public final class NightlyReportExample {
  /** One chunk of the report: rows [from, from + size). */
  public record Chunk(String day, int from, int size) {}

  /** The report of one day. */
  public record Report(String day) {}

  /** What the run saw. */
  public record Result(
      int chunksRun,
      int mostAtOnce,
      BatchStatus summarySaw,
      JobState onSuccessState,
      List<String> order) {}

  public static Result run(PrintStream out) throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger chunks = new AtomicInteger();
    AtomicReference<BatchStatus> seen = new AtomicReference<>();
    List<String> order = new CopyOnWriteArrayList<>();
    AtomicReference<Keel> node = new AtomicReference<>();

    JobType<Chunk> chunk =
        JobType.of(
                "report.chunk",
                Chunk.class,
                ctx -> {
                  most.accumulateAndGet(running.incrementAndGet(), Math::max);
                  try {
                    TimeUnit.MILLISECONDS.sleep(1); // aggregate the chunk's rows
                  } finally {
                    running.decrementAndGet();
                  }
                  chunks.incrementAndGet();
                  if (ctx.payload().from() % 250_000 == 0) {
                    return JobOutcome.permanentFailure(
                        "rows " + ctx.payload().from() + "+ are corrupt");
                  }
                  return JobOutcome.success();
                })
            .withMaxAttempts(1);
    JobType<Report> summary =
        JobType.of(
            "report.summary",
            Report.class,
            ctx -> {
              // A callback knows its batch: links().callbackOf().
              BatchStatus s =
                  node.get()
                      .client()
                      .batch(ctx.tenant(), ctx.job().links().callbackOf())
                      .orElseThrow();
              seen.set(s);
              order.add("summary");
              return JobOutcome.success();
            });
    JobType<Report> publish =
        JobType.of(
            "report.publish",
            Report.class,
            ctx -> {
              order.add("publish");
              return JobOutcome.success();
            });
    JobType<Report> celebrate =
        JobType.of("report.celebrate", Report.class, ctx -> JobOutcome.success());

    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(chunk)
            .register(summary)
            .register(publish)
            .register(celebrate)
            .build()) {
      node.set(keel);
      String day = "2026-12-06";
      List<JobRequest<?>> parts = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        parts.add(JobRequest.of("report.chunk", new Chunk(day, i * 1_000, 1_000)));
      }
      BatchResult batch =
          keel.client()
              .enqueueBatch(
                  BatchRequest.of(parts)
                      .withMaxRunning(16)
                      .onSuccess(JobRequest.of("report.celebrate", new Report(day)))
                      .onComplete(JobRequest.of("report.summary", new Report(day))));
      keel.client()
          .enqueue(
              JobRequest.of("report.publish", new Report(day)).dependsOn(batch.onComplete().id()));
      out.println("batch " + batch.id() + ": " + batch.jobs().size() + " chunks enqueued");

      try (Worker w =
          keel.worker().queue("default", 32).pollInterval(Duration.ofMillis(20)).build().start()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!order.contains("publish") && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(10);
        }
      }
      BatchStatus s = seen.get();
      JobState onSuccess = keel.client().find(batch.onSuccess().id()).orElseThrow().state();
      out.println("chunks run: " + chunks.get() + ", at most " + most.get() + " at once");
      if (s != null) {
        out.println(
            "summary saw: "
                + s.state()
                + ", "
                + s.count(JobState.SUCCEEDED)
                + " succeeded, "
                + s.count(JobState.FAILED)
                + " failed");
      }
      out.println("on-success callback: " + onSuccess + " (not every chunk succeeded)");
      out.println("order: " + order);
      return new Result(chunks.get(), most.get(), s, onSuccess, List.copyOf(order));
    }
  }

  public static void main(String[] args) throws Exception {
    Result r = run(System.out);
    boolean ok =
        r.chunksRun() == 1_000
            && r.mostAtOnce() <= 16
            && r.summarySaw() != null
            && r.summarySaw().count(JobState.FAILED) == 4
            && r.onSuccessState() == JobState.CANCELLED
            && r.order().equals(List.of("summary", "publish"));
    System.out.println(
        ok ? "Nightly report example finished as expected." : "Nightly report example FAILED.");
    System.exit(ok ? 0 : 1);
  }
}
