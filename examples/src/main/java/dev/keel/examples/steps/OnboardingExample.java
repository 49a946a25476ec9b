package dev.keel.examples.steps;

import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepReport;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * "Onboard a customer" as one job of durable steps: reserve a seat, charge the card, provision the
 * account, send the welcome e-mail. Each of the first three declares a compensation. Provisioning
 * fails for the customer {@code acme} (the region is full) on every attempt; once its attempts are
 * used up, the compensations of the completed steps run in reverse order: refund, then release the
 * seat. The customer {@code globex} goes through. The run prints each job's steps and the
 * compensation log.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.keel.examples.steps.OnboardingExample
 * </pre>
 */
public final class OnboardingExample {
  /** The job's payload. */
  public record Customer(String name, int cents) {}

  /** What the charge step stores: the payment provider's charge id. */
  public record Charge(String id, int cents) {}

  /** What the run saw. */
  public record Result(
      JobState acme, JobState globex, List<String> log, StepReport acmeSteps, String acmeError) {}

  public static Result run(PrintStream out) throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    JobType<Customer> onboard =
        JobType.of(
                "customer.onboard",
                Customer.class,
                ctx -> {
                  Customer c = ctx.payload();
                  String seat =
                      ctx.step(
                          "reserve",
                          String.class,
                          () -> note(log, "reserve seat for " + c.name(), "seat-" + c.name()),
                          s -> note(log, "release " + s, null));
                  Charge charge =
                      ctx.step(
                          "charge",
                          Charge.class,
                          () ->
                              note(
                                  log,
                                  "charge " + c.cents() + " cents to " + c.name(),
                                  new Charge("ch-" + c.name(), c.cents())),
                          ch ->
                              note(log, "refund " + ch.cents() + " cents (" + ch.id() + ")", null));
                  ctx.step(
                      "provision",
                      String.class,
                      () -> {
                        note(
                            log,
                            "provision " + c.name() + " (attempt " + ctx.attempt() + ")",
                            null);
                        if (c.name().equals("acme")) {
                          throw new IllegalStateException("region eu-1 is full");
                        }
                        return "acct-" + c.name();
                      },
                      acct -> note(log, "deprovision " + acct, null));
                  ctx.step(
                      "welcome-email",
                      String.class,
                      () -> note(log, "welcome e-mail to " + c.name() + " for " + seat, "sent"));
                  note(log, "onboarded " + c.name() + " (" + charge.id() + ")", null);
                  return JobOutcome.success();
                })
            .withMaxAttempts(3)
            .withRetryPolicy(attempt -> Duration.ofMillis(10));
    try (InlineBackend backend = InlineBackend.create();
        Keel keel = Keel.builder().backend(backend).register(onboard).build()) {
      UUID acme =
          keel.client().enqueue(JobRequest.of("customer.onboard", new Customer("acme", 4900))).id();
      UUID globex =
          keel.client()
              .enqueue(JobRequest.of("customer.onboard", new Customer("globex", 9900)))
              .id();
      try (Worker w = keel.worker().queue("default", 1).build().start()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((!done(keel, acme) || !done(keel, globex)) && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
      }
      StepReport acmeSteps = keel.client().steps("default", acme).orElseThrow();
      out.println("Compensation log:");
      log.forEach(line -> out.println("  " + line));
      out.println("Steps of acme's job (" + acmeSteps.compensation() + "):");
      for (StepInfo s : acmeSteps.steps()) {
        out.println(
            "  "
                + s.name()
                + ": "
                + s.state()
                + " (attempt "
                + s.attempt()
                + (s.error() != null ? ", " + s.error() : "")
                + ")");
      }
      return new Result(
          keel.client().find(acme).orElseThrow().state(),
          keel.client().find(globex).orElseThrow().state(),
          List.copyOf(log),
          acmeSteps,
          keel.client().find(acme).orElseThrow().lastError().message());
    }
  }

  private static boolean done(Keel keel, UUID id) {
    return keel.client().find(id).orElseThrow().state().isTerminal();
  }

  private static <R> R note(List<String> log, String line, R result) {
    log.add(line);
    return result;
  }

  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  private OnboardingExample() {}
}
