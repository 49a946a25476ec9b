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
  void urlsWithoutSecretsAreUnchanged() {
    assertThat(UrlMasker.mask("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(UrlMasker.mask("connect to postgres://u:p@h/db failed")).doesNotContain(":p@");
  }
}
