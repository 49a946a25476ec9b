package dev.keel.queue.inline;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test backend named {@code flaky} that needs {@code FLAKY_URL} and answers only while {@link
 * #UP} is true; when up it is an inline backend. Registered for tests only.
 */
public final class FlakyBackendProvider implements QueueBackendProvider {
  static final AtomicBoolean UP = new AtomicBoolean();

  @Override
  public String name() {
    return "flaky";
  }

  @Override
  public List<String> urlVariables() {
    return List.of("FLAKY_URL");
  }

  @Override
  public QueueBackend open(BackendSettings settings) {
    if (!UP.get()) {
      throw new BackendUnavailableException("connection refused: " + settings.url());
    }
    return InlineBackend.create(settings.clock());
  }
}
