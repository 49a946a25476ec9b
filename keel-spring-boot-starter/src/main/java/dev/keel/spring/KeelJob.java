package dev.keel.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a job handler in a Spring bean. On a method, the method handles jobs of type {@link
 * #value()}; it takes the payload, the payload and the {@link dev.keel.queue.JobContext}, or only
 * the context (typed, e.g. {@code JobContext<Welcome>}), and returns {@code void} (success when it
 * returns normally) or a {@link dev.keel.queue.JobOutcome}. On a class implementing {@link
 * dev.keel.queue.JobHandler}, the bean handles jobs of that type and its payload type is read from
 * the {@code JobHandler<T>} type argument.
 *
 * <pre>{@code
 * @Component
 * class Mailer {
 *   @KeelJob("welcome-email")
 *   void send(Welcome w) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface KeelJob {
  /** The job type this handles. */
  String value();

  /** Attempts before the job fails for good; 0 keeps Keel's default. */
  int maxAttempts() default 0;

  /** Execution timeout as an ISO-8601 duration ({@code PT30S}); empty keeps the type's default. */
  String timeout() default "";
}
