package dev.keel.queue.testkit;

import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.time.InstantSource;

/**
 * How a backend module plugs into {@link QueueBackendConformanceTest}. One fixture serves one test
 * class; it owns an isolated namespace (its own Postgres schema, its own Redis key prefix) so test
 * classes never see each other's data.
 */
public interface BackendFixture extends AutoCloseable {

  /**
   * A backend over the fixture's namespace, emptied of all jobs and locks. Called before every
   * test; the suite closes the backend after the test.
   */
  QueueBackend openEmpty();

  /**
   * Another backend over the same namespace as the last {@link #openEmpty()}, without emptying it:
   * a second node of the same cluster (its own connections, the same jobs and schedules). The
   * caller closes it; closing it must not close the first.
   */
  QueueBackend openAnother();

  /**
   * The clock core should use with this backend: a {@link ManualClock} for inline, the system clock
   * for durable backends (whose own server clock governs due times and leases).
   */
  InstantSource clock();

  /**
   * Makes at least {@code d} pass on the backend's clock: advances the manual clock, or waits (by
   * polling the server's clock, never a blind sleep) until the server's clock has moved that far.
   * The suite keeps such durations short (well under a second) so durable backends stay fast.
   */
  void passTime(Duration d);

  /** Drops the namespace. */
  @Override
  void close();
}
