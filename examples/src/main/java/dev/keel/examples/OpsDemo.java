package dev.keel.examples;

import dev.keel.ops.AlertRules;
import dev.keel.ops.BearerTokenAuthenticator;
import dev.keel.ops.LogAlertSink;
import dev.keel.ops.OpsConsole;
import dev.keel.ops.OpsServer;
import dev.keel.queue.ExponentialBackoff;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.StartupMode;
import dev.keel.queue.Worker;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The operations console on live traffic: {@code ./demo ops [inline|postgres|redis]}. A producer
 * enqueues a mix of jobs for two tenants, a worker runs them (most succeed, some fail and retry,
 * one type always fails, reports are slow), and the console serves the dashboard. It prints the URL
 * and the tokens, and runs until Ctrl-C (or for {@code KEEL_DEMO_SECONDS}).
 *
 * <p>Port: {@code KEEL_OPS_PORT} (default 8090, 0 for any free one). Tokens: {@code KEEL_OPS_TOKEN}
 * and {@code KEEL_OPS_ACME_TOKEN}, else random ones.
 */
public final class OpsDemo {
  record Email(String to) {}

  record Charge(int order, long cents) {}

  record Sync(String mailbox) {}

  record Report(String name) {}

  static {
    // The demo fails jobs on purpose, several a second; their errors and stack traces are on the
    // console's pages, so the terminal keeps the URL, the tokens and the alerts readable.
    System.setProperty("org.slf4j.simpleLogger.log.dev.keel.queue.internal.JobExecution", "off");
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KEEL_BACKEND", args.length > 0 ? args[0] : env.getOrDefault("KEEL_BACKEND", "inline"));
    String adminToken = env.getOrDefault("KEEL_OPS_TOKEN", randomToken());
    String acmeToken = env.getOrDefault("KEEL_OPS_ACME_TOKEN", randomToken());
    int port = Integer.parseInt(env.getOrDefault("KEEL_OPS_PORT", "8090"));
    long seconds = Long.parseLong(env.getOrDefault("KEEL_DEMO_SECONDS", "0"));

    try (DemoBackends backends = DemoBackends.prepare(env, out);
        Keel keel = keel(backends.environment());
        Worker worker =
            keel.worker()
                .queue("default", 4)
                .queue("reports", 1)
                .pollInterval(Duration.ofMillis(200))
                .build()
                .start();
        OpsConsole console =
            OpsConsole.builder(keel)
                .authenticator(
                    BearerTokenAuthenticator.builder()
                        .admin("admin", adminToken)
                        .operator("acme-support", acmeToken, "acme")
                        .build())
                .worker(worker)
                .alerts(
                    List.of(
                        AlertRules.failureRate(Duration.ofMinutes(15), 0.2, 5),
                        AlertRules.oldestDue(Duration.ofMinutes(2)),
                        AlertRules.stuck(0),
                        AlertRules.backendUnreachable()))
                .alertSink(new LogAlertSink())
                .evaluationInterval(Duration.ofSeconds(10))
                .sampleInterval(Duration.ofSeconds(10))
                .build();
        OpsServer server = OpsServer.start(console, new InetSocketAddress("127.0.0.1", port))) {
      Thread producer = new Thread(() -> produce(keel), "demo-producer");
      producer.setDaemon(true);
      producer.start();
      out.println();
      out.println(
          "Keel operations console on the " + keel.backend().capabilities().name() + " backend:");
      out.println("  URL:                   " + server.url());
      out.println("  admin token:           " + adminToken);
      out.println("  operator token (acme): " + acmeToken);
      out.println("  health:                " + server.url().resolve("health/ready"));
      out.println("Jobs are flowing (e-mails, charges that sometimes fail, mailbox syncs that");
      out.println(
          "always fail, slow reports). Open the URL and sign in with a token; job errors are"
              + " shown there, alerts here. Ctrl-C stops.");
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      if (seconds > 0) {
        stop.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
      } else {
        stop.await();
      }
      producer.interrupt();
    }
  }

  static Keel keel(Map<String, String> env) {
    ExponentialBackoff quick =
        ExponentialBackoff.of(Duration.ofMillis(500), 2.0, Duration.ofSeconds(5), 0.2);
    return Keel.builder()
        .fromEnvironment(env, StartupMode.FAIL_FAST)
        .register(JobType.of("email.send", Email.class, ctx -> work(5, 30)))
        .register(
            JobType.of(
                    "payment.charge",
                    Charge.class,
                    ctx -> {
                      work(10, 50);
                      if (ctx.payload().order() % 10 == 0) {
                        return JobOutcome.permanentFailure(
                            "card declined for order " + ctx.payload().order());
                      }
                      if (ctx.attempt() == 1 && ThreadLocalRandom.current().nextInt(4) == 0) {
                        throw new IllegalStateException("payment gateway timed out");
                      }
                      return JobOutcome.success();
                    })
                .withMaxAttempts(3)
                .withRetryPolicy(quick))
        .register(
            JobType.of(
                    "mailbox.sync",
                    Sync.class,
                    ctx -> {
                      work(5, 20);
                      throw new java.io.UncheckedIOException(
                          new java.io.IOException(
                              "IMAP login refused for " + ctx.payload().mailbox()));
                    })
                .withMaxAttempts(1))
        .register(
            JobType.of(
                "report.build",
                Report.class,
                ctx -> {
                  for (int p = 0; p <= 100; p += 20) {
                    ctx.progress(p, "page " + p / 20);
                    work(300, 600);
                  }
                  return JobOutcome.success();
                }))
        .build();
  }

  private static void produce(Keel keel) {
    int n = 0;
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (!Thread.currentThread().isInterrupted()) {
      n++;
      String tenant = n % 3 == 0 ? "acme" : "default";
      try {
        keel.client()
            .enqueue(
                JobRequest.of("email.send", new Email("user" + n + "@example.com"))
                    .withTenant(tenant));
        if (n % 2 == 0) {
          keel.client()
              .enqueue(JobRequest.of("payment.charge", new Charge(n, 100 + n)).withTenant(tenant));
        }
        if (n % 7 == 0) {
          keel.client()
              .enqueue(JobRequest.of("mailbox.sync", new Sync("box-" + n)).withTenant(tenant));
        }
        if (n % 25 == 0) {
          keel.client()
              .enqueue(
                  JobRequest.of("report.build", new Report("daily-" + n))
                      .withTenant(tenant)
                      .withQueue("reports"));
        }
        Thread.sleep(r.nextLong(100, 300));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        System.err.println("demo producer: enqueue failed, trying again in a second: " + e);
        e.printStackTrace();
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static JobOutcome work(int minMs, int maxMs) throws InterruptedException {
    Thread.sleep(ThreadLocalRandom.current().nextLong(minMs, maxMs + 1));
    return JobOutcome.success();
  }

  private static String randomToken() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
