package dev.keel.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring Boot service on Keel: {@code POST /signup} writes a user row and enqueues a
 * welcome e-mail in one transaction; the worker in the same process sends it. Run it with {@code
 * mvn -q -pl examples/spring-boot -am install -DskipTests && mvn -q -pl examples/spring-boot
 * exec:java} (PostgreSQL at 127.0.0.1:5432, database {@code test}), then {@code curl -XPOST
 * localhost:8080/signup -H 'Content-Type: application/json' -d '{"email":"ada@example.com"}'}.
 */
@SpringBootApplication
public class SignupApplication {
  public static void main(String[] args) {
    SpringApplication.run(SignupApplication.class, args);
  }
}
