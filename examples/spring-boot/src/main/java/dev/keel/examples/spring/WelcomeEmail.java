package dev.keel.examples.spring;

/** The payload of a welcome e-mail job. */
public record WelcomeEmail(String email) {}
