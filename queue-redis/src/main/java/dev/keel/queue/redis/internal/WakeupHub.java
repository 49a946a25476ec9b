package dev.keel.queue.redis.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Delivers wake-ups to listeners. Two daemon threads, started with the first subscription:
 *
 * <ul>
 *   <li>the <b>subscriber</b> holds one dedicated connection SUBSCRIBEd to the namespace channel,
 *       on which the scripts PUBLISH a queue's name when jobs become claimable in it. It reconnects
 *       with exponential backoff. Each time it is subscribed, the first time and after a reconnect,
 *       it wakes every known queue, since signals published before it listened are lost.
 *   <li>the <b>promoter</b> moves scheduled jobs into ready sets when they fall due (which
 *       publishes their wake-ups). It sleeps until the next job is due, at most a second, and is
 *       woken early when a script announces an earlier scheduled job.
 * </ul>
 *
 * Signals are best effort; workers poll as the safety net.
 */
public final class WakeupHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WakeupHub.class);
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final long MAX_PROMOTER_WAIT_MILLIS = 1_000;
  private static final long STABLE_SUBSCRIPTION_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final UnifiedJedis client;
  private final String channel;
  private final LuaScripts scripts;
  private final Supplier<Set<String>> knownQueues;
  private final String target;
  private final List<WakeupListener> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean started;
  private boolean closed;
  private boolean promoterPoked;
  private volatile JedisPubSub current;
  private Thread subscriber;
  private Thread promoter;

  public WakeupHub(
      UnifiedJedis client,
      NamespaceKeys keys,
      LuaScripts scripts,
      Supplier<Set<String>> knownQueues,
      String target) {
    this.client = client;
    this.channel = keys.wakeupChannel();
    this.scripts = scripts;
    this.knownQueues = knownQueues;
    this.target = target;
  }

  public Subscription subscribe(WakeupListener listener) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the Redis backend is closed");
      }
      listeners.add(listener);
      if (!started) {
        started = true;
        subscriber = daemon("keel-redis-wakeups", this::subscribeLoop);
        promoter = daemon("keel-redis-promoter", this::promoteLoop);
      }
    } finally {
      lock.unlock();
    }
    return () -> listeners.remove(listener);
  }

  private Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void subscribeLoop() {
    long backoff = 100;
    boolean reconnect = false;
    while (!isClosed()) {
      Listener pubSub = new Listener(reconnect);
      current = pubSub;
      try {
        subscribe(pubSub);
        // Returned without error: unsubscribed by close(), or by the server; not in a hot loop.
        await(100, false);
      } catch (RuntimeException e) {
        // Anything, not only a lost connection: a dead subscriber thread would end wake-ups for
        // the life of the backend without a word, leaving workers on their poll interval.
        if (isClosed()) {
          return;
        }
        // Start again from 100 ms only after a subscription that lasted: one that fails soon
        // after subscribing, every time, must not reconnect (and log) ten times a second.
        backoff = pubSub.lastedAWhile() ? 100 : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        if (e instanceof JedisException) {
          LOG.warn(
              "Wake-up subscription to Redis at {} lost; reconnecting in {} ms (workers keep"
                  + " polling meanwhile)",
              target,
              backoff,
              e);
        } else {
          LOG.error(
              "Wake-up subscription to Redis at {} failed unexpectedly; subscribing again in {} ms"
                  + " (workers keep polling meanwhile)",
              target,
              backoff,
              e);
        }
        await(backoff, false);
      }
      reconnect = true;
    }
  }

  /**
   * Holds a connection subscribed until unsubscribed or broken. On a cluster it is a connection to
   * the master of the namespace's slot, where every script runs: a PUBLISH made inside a script
   * reaches subscribers on other nodes only through the cluster bus, measured on Redis 7.0 at 9 ms
   * median and up to 40 ms behind, while a subscriber on that node hears it at once.
   */
  private void subscribe(JedisPubSub pubSub) {
    if (client instanceof RedisClusterClient cluster) {
      try (Connection connection =
          cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(channel))) {
        pubSub.proceed(connection, channel);
      }
    } else {
      client.subscribe(pubSub, channel);
    }
  }

  private void promoteLoop() {
    long backoff = 100;
    while (!isClosed()) {
      long waitMillis;
      boolean failed = false;
      try {
        List<?> reply = (List<?>) scripts.run("promote", List.of("1000"));
        long untilNext = (Long) reply.get(1);
        boolean more = (Long) reply.get(0) >= 1000;
        waitMillis =
            more
                ? 0
                : untilNext < 0
                    ? MAX_PROMOTER_WAIT_MILLIS
                    : Math.min(untilNext, MAX_PROMOTER_WAIT_MILLIS);
        backoff = 100;
      } catch (RuntimeException e) {
        // As for the subscriber: the promoter must outlive any failure, or scheduled jobs would
        // only be promoted by claims and wake nobody.
        if (isClosed()) {
          return;
        }
        if (e instanceof BackendUnavailableException) {
          LOG.warn("Promoting due scheduled jobs failed; retrying in {} ms", backoff, e);
        } else {
          LOG.error(
              "Promoting due scheduled jobs failed unexpectedly; retrying in {} ms", backoff, e);
        }
        waitMillis = backoff;
        failed = true;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
      if (waitMillis > 0) {
        // After a failure, wait out the backoff even if new scheduled jobs poke the promoter.
        await(waitMillis, !failed);
      }
    }
  }

  /** Waits up to {@code millis}, or until closed (or, for the promoter, poked). */
  private void await(long millis, boolean wakeOnPoke) {
    lock.lock();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
      while (!closed && nanos > 0 && !(wakeOnPoke && promoterPoked)) {
        nanos = changed.awaitNanos(nanos);
      }
      if (wakeOnPoke) {
        promoterPoked = false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("wake-up thread interrupted", e);
    } finally {
      lock.unlock();
    }
  }

  private void pokePromoter() {
    lock.lock();
    try {
      promoterPoked = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private void deliver(String queue) {
    for (WakeupListener listener : listeners) {
      try {
        listener.jobsAvailable(queue);
      } catch (RuntimeException e) {
        LOG.warn("Wake-up listener {} failed for queue {}", listener, queue, e);
      }
    }
  }

  @Override
  public void close() {
    Thread s;
    Thread p;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      changed.signalAll();
      s = subscriber;
      p = promoter;
    } finally {
      lock.unlock();
    }
    listeners.clear();
    JedisPubSub pubSub = current;
    if (pubSub != null && pubSub.isSubscribed()) {
      try {
        pubSub.unsubscribe();
      } catch (JedisException e) {
        LOG.debug(
            "Unsubscribing from {} failed; the connection is closed with the pool", target, e);
      }
    }
    join(s);
    join(p);
  }

  private static void join(Thread t) {
    if (t == null) {
      return;
    }
    try {
      t.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + t.getName(), e);
    }
  }

  private final class Listener extends JedisPubSub {
    private final boolean reconnect;

    /** When the server confirmed the subscription (System.nanoTime), or 0 if it never did. */
    private volatile long subscribedAt;

    Listener(boolean reconnect) {
      this.reconnect = reconnect;
    }

    /** Subscribed for at least {@link #STABLE_SUBSCRIPTION_NANOS} before it ended. */
    boolean lastedAWhile() {
      long at = subscribedAt;
      return at != 0 && System.nanoTime() - at >= STABLE_SUBSCRIPTION_NANOS;
    }

    @Override
    public void onSubscribe(String ch, int count) {
      subscribedAt = System.nanoTime();
      if (isClosed()) {
        unsubscribe();
        return;
      }
      if (reconnect) {
        LOG.info("Wake-up subscription to Redis at {} restored", target);
      }
      // Signals published before the subscription listened are lost: on the first subscription
      // those of jobs enqueued while a worker was starting, after a reconnect those of the outage.
      // Waking every known queue once makes the listeners claim what they missed.
      try {
        knownQueues.get().forEach(WakeupHub.this::deliver);
      } catch (BackendUnavailableException e) {
        LOG.warn("Could not list queues to wake once subscribed; workers poll meanwhile", e);
      }
    }

    @Override
    public void onMessage(String ch, String message) {
      if (NamespaceKeys.scheduleChangedMessage().equals(message)) {
        pokePromoter();
      } else {
        deliver(message);
      }
    }
  }
}
