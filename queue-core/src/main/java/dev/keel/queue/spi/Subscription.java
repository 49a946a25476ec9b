package dev.keel.queue.spi;

/** A wake-up subscription; closing it stops the calls. Closing twice is harmless. */
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
