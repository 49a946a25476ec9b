package dev.keel.spring;

/** Payload types of the test handlers. */
final class Payloads {
  private Payloads() {}

  record Welcome(String email) {}

  record Report(String kind) {}
}
