package dev.keel.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a bad {@code keel.*} property by name at startup. */
public final class KeelFailureAnalyzer extends AbstractFailureAnalyzer<KeelPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, KeelPropertyException cause) {
    String description =
        "Keel could not start: the property '"
            + cause.property()
            + "' "
            + cause.rule()
            + (cause.value() == null ? "." : ". Its value was '" + cause.value() + "'.");
    String action =
        "Change '"
            + cause.property()
            + "' in your application properties (or its environment variable). "
            + "The keel.* properties are listed in docs/spring-boot.md.";
    return new FailureAnalysis(description, action, cause);
  }
}
