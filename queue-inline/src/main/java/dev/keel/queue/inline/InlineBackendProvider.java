package dev.keel.queue.inline;

import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.util.List;

/**
 * Opens the {@link InlineBackend} for {@code KEEL_BACKEND=inline}. It needs no URL and keeps data
 * only in memory; it uses core's clock from {@link BackendSettings#clock()} as its server clock.
 */
public final class InlineBackendProvider implements QueueBackendProvider {

  @Override
  public String name() {
    return "inline";
  }

  @Override
  public List<String> urlVariables() {
    return List.of();
  }

  @Override
  public QueueBackend open(BackendSettings settings) {
    return InlineBackend.create(settings.clock());
  }
}
