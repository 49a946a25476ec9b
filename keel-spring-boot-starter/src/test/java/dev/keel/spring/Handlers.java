package dev.keel.spring;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobContext;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobType;
import dev.keel.spring.Payloads.Report;
import dev.keel.spring.Payloads.Welcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Handlers declared the three ways the starter finds them. */
@Configuration(proxyBeanMethods = false)
class Handlers {

  /** Methods annotated with {@link KeelJob}; it enqueues a follow-up through the JobClient bean. */
  static class Mailer {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final List<Integer> attempts = new CopyOnWriteArrayList<>();
    private final ObjectProvider<JobClient> client;

    Mailer(ObjectProvider<JobClient> client) {
      this.client = client;
    }

    @KeelJob("welcome")
    void send(Welcome w) {
      sent.add(w.email());
    }

    @KeelJob(value = "welcome-with-context", maxAttempts = 3)
    JobOutcome sendWithContext(Welcome w, JobContext<Welcome> ctx) {
      attempts.add(ctx.attempt());
      sent.add(w.email() + "@" + ctx.tenant());
      client.getObject().enqueue(JobRequest.of("welcome", new Welcome("follow-up:" + w.email())));
      return JobOutcome.success();
    }

    @KeelJob("context-only")
    void contextOnly(JobContext<Report> ctx) {
      sent.add("report:" + ctx.payload().kind());
    }
  }

  /** A {@link JobHandler} bean whose class names the type. */
  @KeelJob("report")
  static class ReportHandler implements JobHandler<Report> {
    final List<String> kinds = new CopyOnWriteArrayList<>();

    @Override
    public JobOutcome handle(JobContext<Report> ctx) {
      kinds.add(ctx.payload().kind());
      return JobOutcome.success();
    }
  }

  @Bean
  Mailer mailer(ObjectProvider<JobClient> client) {
    return new Mailer(client);
  }

  @Bean
  ReportHandler reportHandler() {
    return new ReportHandler();
  }

  /** A plain {@link JobType} bean. */
  @Bean
  @SuppressWarnings("rawtypes")
  JobType<Map> pingType() {
    return JobType.of("ping", Map.class, ctx -> JobOutcome.success());
  }
}
