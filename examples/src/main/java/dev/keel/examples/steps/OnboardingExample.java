package dev.keel.examples.steps;

import dev.keel.examples.outbox.CountingMailer;
import dev.keel.examples.outbox.WelcomeEmailExample;
import dev.keel.outbox.DeliveryLedger;
import dev.keel.outbox.DeliveryOutcome;
import dev.keel.outbox.DeliveryReceipt;
import dev.keel.outbox.InFlightPolicy;
import dev.keel.outbox.LedgerEntry;
import dev.keel.outbox.Outbox;
import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.steps.ChildResult;
import dev.keel.queue.steps.ChildResults;
import dev.keel.queue.steps.Children;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepReport;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;

/**
 * "Onboard a customer" as one job of durable steps: reserve a seat, charge the card, provision the
 * account's services as child jobs, send the welcome e-mail.
 *
 * <ol>
 *   <li>{@code reserve} and {@code charge} are steps with compensations (release the seat, refund).
 *   <li>{@code provision} is a children step: three child jobs of type {@code
 *       customer.provision-service} (mailbox, storage, billing), at most two of a customer's
 *       running at once; each returns its account id with {@code JobOutcome.success(result)}. The
 *       parent holds no worker while it waits.
 *   <li>{@code provisioned} stores the accounts that were created, with a compensation that removes
 *       them again (a children step has no compensation of its own).
 *   <li>{@code welcome-email} sends through the outbox's {@link DeliveryLedger}, keyed {@code
 *       welcome:<customer>}, to a counting fake mailer.
 * </ol>
 *
 * For {@code acme} the storage child fails permanently ("region eu-1 is full"). The children step
 * stores that answer, so a retry of the parent would get the same answer again: the parent fails
 * permanently at once, and the compensations of its completed steps run in reverse order (remove
 * the accounts that were created, refund, release the seat). {@code acme} gets no e-mail. For
 * {@code globex} all three services are provisioned; a failure is injected right after its welcome
 * e-mail went out (before the step's result was stored), so the {@code welcome-email} step runs
 * again on the next attempt: the ledger answers "already sent" and the mailer counts one e-mail.
 * The run prints the log, each job's steps (with the children step's per-child states) and the
 * e-mails per customer.
 *
 * <p>The queue runs on the {@link InlineBackend}; the delivery ledger needs PostgreSQL at {@code
 * KEEL_DATABASE_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), in its
 * own schema {@code onboarding_example}, dropped and recreated on every run.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.keel.examples.steps.OnboardingExample
 * </pre>
 */
public final class OnboardingExample {
  /** The ledger's schema, dropped and recreated on every run. */
  public static final String SCHEMA = "onboarding_example";

  /** The services provisioned for every customer, one child job each, in this order. */
  public static final List<String> SERVICES = List.of("mailbox", "storage", "billing");

  /** The parent job's payload. */
  public record Customer(String name, int cents) {
    public String email() {
      return name + "@example.com";
    }
  }

  /** A child job's payload: one service of one customer. */
  public record Service(String customer, String service) {}

  /** What the charge step stores: the payment provider's charge id. */
  public record Charge(String id, int cents) {}

  /** What the provisioned step stores: the accounts the children created. */
  public record Accounts(List<String> ids) {}

  /** What the welcome e-mail sends; its hash must be the same whenever the step runs. */
  public record Welcome(String to, String customer, String seat) {}

  /**
   * What the run saw, per customer ({@code acme}, {@code globex}).
   *
   * @param states each parent job's final state
   * @param errors each parent job's last error message (null if none)
   * @param steps each parent job's steps as {@code client.steps} reports them
   * @param children what each parent's children step returned
   * @param log everything the steps, children and compensations did, in order
   * @param emails e-mails the mailer was asked to send, per customer (0 included)
   * @param ledger the ledger entry {@code welcome:<customer>}, for the customers that have one
   * @param maxChildrenRunning the most children of one customer seen running at once
   */
  public record Result(
      Map<String, JobState> states,
      Map<String, String> errors,
      Map<String, StepReport> steps,
      Map<String, ChildResults<String>> children,
      List<String> log,
      Map<String, Integer> emails,
      Map<String, LedgerEntry> ledger,
      Map<String, Integer> maxChildrenRunning) {}

  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs against {@code KEEL_DATABASE_URL} (or the default) in the schema {@value #SCHEMA}. */
  public static Result run(PrintStream out) throws Exception {
    String url =
        System.getenv()
            .getOrDefault(
                "KEEL_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    return run(out, WelcomeEmailExample.dataSource(url), SCHEMA);
  }

  /** Runs with the ledger in {@code schema} of {@code dataSource}, dropped and recreated first. */
  public static Result run(PrintStream out, DataSource dataSource, String schema) throws Exception {
    Outbox outbox = Outbox.builder().dataSource(dataSource).schema(schema).build();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS \"" + outbox.schema() + "\" CASCADE");
    }
    outbox.migrate();
    DeliveryLedger ledger =
        outbox.ledger().inFlightPolicy(InFlightPolicy.RESEND_WITH_SAME_PROVIDER_KEY).build();
    CountingMailer mailer = new CountingMailer();
    List<String> log = new CopyOnWriteArrayList<>();
    Map<String, ChildResults<String>> seen = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> maxRunning = new ConcurrentHashMap<>();

    JobType<Service> provisionService =
        JobType.of(
            "customer.provision-service",
            Service.class,
            ctx -> {
              Service s = ctx.payload();
              int now =
                  running.computeIfAbsent(s.customer(), k -> new AtomicInteger()).incrementAndGet();
              maxRunning
                  .computeIfAbsent(s.customer(), k -> new AtomicInteger())
                  .accumulateAndGet(now, Math::max);
              try {
                Thread.sleep(50); // long enough for the cap of two to show
                if (s.customer().equals("acme") && s.service().equals("storage")) {
                  note(log, "provision storage for acme: region eu-1 is full", null);
                  return JobOutcome.permanentFailure("region eu-1 is full");
                }
                String account = s.service() + "-" + s.customer();
                note(
                    log,
                    "provision " + s.service() + " for " + s.customer() + ": " + account,
                    null);
                return JobOutcome.success(account);
              } finally {
                running.get(s.customer()).decrementAndGet();
              }
            });

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
                  // Enqueued once; later runs (and attempts) get the stored answer.
                  ChildResults<String> provisioned =
                      ctx.children(
                          "provision",
                          Children.of(
                                  SERVICES.stream()
                                      .map(
                                          s ->
                                              JobRequest.of(
                                                  "customer.provision-service",
                                                  new Service(c.name(), s)))
                                      .toList())
                              .withMaxRunning(2),
                          String.class);
                  seen.put(c.name(), provisioned);
                  String failed =
                      IntStream.range(0, SERVICES.size())
                          .filter(i -> !provisioned.children().get(i).succeeded())
                          .mapToObj(
                              i -> SERVICES.get(i) + ": " + provisioned.children().get(i).error())
                          .collect(Collectors.joining(", "));
                  ctx.step(
                      "provisioned",
                      Accounts.class,
                      () ->
                          note(
                              log,
                              "provisioned for "
                                  + c.name()
                                  + ": "
                                  + String.join(", ", provisioned.results())
                                  + (failed.isEmpty() ? "" : "; failed: " + failed),
                              new Accounts(provisioned.results())),
                      accounts -> {
                        List<String> ids = new ArrayList<>(accounts.ids());
                        Collections.reverse(ids);
                        ids.forEach(id -> note(log, "deprovision " + id, null));
                      });
                  if (!provisioned.allSucceeded()) {
                    // Retrying cannot help: the children step would return this same answer.
                    return JobOutcome.permanentFailure("provisioning failed: " + failed);
                  }
                  ctx.step(
                      "welcome-email",
                      String.class,
                      () -> {
                        DeliveryReceipt r =
                            ledger.execute(
                                ctx.tenant(),
                                "welcome:" + c.name(),
                                new Welcome(c.email(), c.name(), seat),
                                attempt ->
                                    DeliveryOutcome.of(
                                        mailer.send(
                                            c.email(),
                                            "Welcome, " + c.name() + " (" + seat + ")",
                                            attempt.providerKey()),
                                        "accepted"));
                        String id = r.outcome().providerMessageId();
                        note(
                            log,
                            r.replayed()
                                ? "welcome e-mail to "
                                    + c.email()
                                    + ": already sent as "
                                    + id
                                    + " (ledger), not sent again (attempt "
                                    + ctx.attempt()
                                    + ")"
                                : "welcome e-mail to "
                                    + c.email()
                                    + ": sent as "
                                    + id
                                    + " (attempt "
                                    + ctx.attempt()
                                    + ")",
                            null);
                        if (c.name().equals("globex") && ctx.attempt() == 1) {
                          // Injected: the e-mail went out but the step's result was never stored.
                          note(
                              log,
                              "globex: injected failure before the step's result was stored",
                              null);
                          throw new IllegalStateException(
                              "injected: connection lost after the send");
                        }
                        return id;
                      });
                  note(log, "onboarded " + c.name() + " (" + charge.id() + ")", null);
                  return JobOutcome.success();
                })
            .withMaxAttempts(3)
            .withRetryPolicy(attempt -> Duration.ofMillis(10));

    List<Customer> customers = List.of(new Customer("acme", 4900), new Customer("globex", 9900));
    try (InlineBackend backend = InlineBackend.create();
        Keel keel =
            Keel.builder().backend(backend).register(provisionService).register(onboard).build()) {
      Map<String, UUID> ids = new LinkedHashMap<>();
      for (Customer c : customers) {
        ids.put(c.name(), keel.client().enqueue(JobRequest.of("customer.onboard", c)).id());
      }
      // Four slots: the parents, up to two children each and the batches' callbacks. A parent
      // waiting for its children holds none.
      try (Worker w =
          keel.worker().queue("default", 4).pollInterval(Duration.ofMillis(20)).build().start()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ids.values().stream().allMatch(id -> done(keel, id))
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
      }

      Map<String, JobState> states = new LinkedHashMap<>();
      Map<String, String> errors = new LinkedHashMap<>();
      Map<String, StepReport> steps = new LinkedHashMap<>();
      Map<String, Integer> emails = new LinkedHashMap<>();
      Map<String, LedgerEntry> entries = new LinkedHashMap<>();
      Map<String, Integer> maxChildren = new LinkedHashMap<>();
      out.println("Log:");
      log.forEach(line -> out.println("  " + line));
      for (Customer c : customers) {
        Job job = keel.client().find(ids.get(c.name())).orElseThrow();
        StepReport report = keel.client().steps(job.tenant(), job.id()).orElseThrow();
        states.put(c.name(), job.state());
        errors.put(c.name(), job.lastError() == null ? null : job.lastError().message());
        steps.put(c.name(), report);
        out.println(
            c.name()
                + "'s job: "
                + job.state()
                + " after attempt "
                + job.attempt()
                + (job.lastError() != null ? ", last error: " + job.lastError().message() : "")
                + (report.compensation() != null ? ", saga " + report.compensation() : ""));
        for (StepInfo s : report.steps()) {
          out.println(
              "  "
                  + s.name()
                  + ": "
                  + s.state()
                  + " (attempt "
                  + s.attempt()
                  + (s.error() != null ? ", " + s.error() : "")
                  + ")");
          if (s.kind() == StepKind.CHILDREN && seen.containsKey(c.name())) {
            for (ChildResult<String> child : seen.get(c.name()).children()) {
              Job cj = keel.client().find(child.id()).orElseThrow();
              out.println(
                  "    "
                      + keel.client().payload(cj, Service.class).service()
                      + ": "
                      + child.state()
                      + (child.result() != null ? " -> " + child.result() : "")
                      + (child.error() != null ? " (" + child.error() + ")" : "")
                      + ", child attempt "
                      + cj.attempt());
            }
          }
        }
        maxChildren.put(c.name(), maxRunning.getOrDefault(c.name(), new AtomicInteger()).get());
        out.println("  children running at once: at most " + maxChildren.get(c.name()));
      }
      out.println("Welcome e-mails:");
      for (Customer c : customers) {
        int n = mailer.perRecipient().getOrDefault(c.email(), 0);
        emails.put(c.name(), n);
        String key = "welcome:" + c.name();
        LedgerEntry e = ledger.find("default", key).orElse(null);
        if (e != null) {
          entries.put(c.name(), e);
        }
        out.println(
            "  "
                + c.name()
                + ": "
                + n
                + " e-mail(s) sent by the mailer; ledger "
                + key
                + " "
                + (e == null
                    ? "has no entry"
                    : e.state() + ", " + e.attempts() + " attempt(s), " + e.providerMessageId()));
      }
      return new Result(
          states, errors, steps, Map.copyOf(seen), List.copyOf(log), emails, entries, maxChildren);
    }
  }

  private static boolean done(Keel keel, UUID id) {
    return keel.client().find(id).orElseThrow().state().isTerminal();
  }

  private static <R> R note(List<String> log, String line, R result) {
    log.add(line);
    return result;
  }

  private OnboardingExample() {}
}
