package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlMaskerTest {

  @Test
  void passwordInUserInfoIsMasked() {
    assertThat(UrlMasker.mask("postgres://app:s3cret@db:5432/app"))
        .isEqualTo("postgres://app:***@db:5432/app");
    assertThat(UrlMasker.mask("redis://:s3cret@cache:6379/0"))
        .isEqualTo("redis://:***@cache:6379/0");
  }

  @Test
  void secretQueryParametersAreMasked() {
    assertThat(UrlMasker.mask("jdbc:postgresql://db/app?user=app&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/app?user=app&password=***&ssl=true");
  }

  @Test
  void aPasswordContainingAnAtSignIsMaskedWhole() {
    assertThat(UrlMasker.mask("redis://:p@ss@cache:6379/0")).isEqualTo("redis://:***@cache:6379/0");
    assertThat(UrlMasker.mask("postgres://app:a@b@db/app and more"))
        .isEqualTo("postgres://app:***@db/app and more");
  }

  @Test
  void everyMessageOfTheCauseChainIsMaskedAndStackTracesAreKept() {
    RuntimeException root = new IllegalStateException("cannot reach postgres://app:s3cret@db/app");
    RuntimeException top =
        new dev.keel.queue.BackendUnavailableException(
            "open failed for postgres://app:s3cret@db/app", root);
    RuntimeException masked = UrlMasker.masked(top);
    java.io.StringWriter trace = new java.io.StringWriter();
    masked.printStackTrace(new java.io.PrintWriter(trace));
    assertThat(trace.toString())
        .doesNotContain("s3cret")
        .contains("java.lang.IllegalStateException: cannot reach postgres://app:***@db/app");
    assertThat(masked.getCause().getStackTrace()).isEqualTo(root.getStackTrace());
    RuntimeException clean = new IllegalStateException("no secret here");
    assertThat(UrlMasker.masked(clean)).isSameAs(clean);
  }

  @Test
  void urlsWithoutSecretsAreUnchanged() {
    assertThat(UrlMasker.mask("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(UrlMasker.mask("connect to postgres://u:p@h/db failed")).doesNotContain(":p@");
  }
}
