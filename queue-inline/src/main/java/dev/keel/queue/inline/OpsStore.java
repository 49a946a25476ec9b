package dev.keel.queue.inline;

import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredSample;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Operations data in memory: the console's alerts and backlog samples. One monitor guards them: an
 * open checks the active index and inserts without any other alert call in between, which is the
 * "one active alert per rule and subject" the SPI asks for. Alerts are few (one per rule and
 * subject at a time, resolved ones pruned), so listing and pruning walk them.
 */
final class OpsStore {
  /** The active-alert index key: rule and subject, compared as a pair. */
  private record ActiveKey(String rule, String subject) {}

  /** Samples in time order; {@code seq} keeps two samples of one instant apart, in write order. */
  private record SampleKey(Instant at, long seq) implements Comparable<SampleKey> {
    @Override
    public int compareTo(SampleKey o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final InstantSource clock;
  private final NavigableMap<UUID, StoredAlert> alerts = new TreeMap<>();
  private final Map<ActiveKey, UUID> active = new HashMap<>();
  private final NavigableMap<SampleKey, StoredSample> samples = new TreeMap<>();
  private long sampleSeq;

  OpsStore(InstantSource clock) {
    this.clock = clock;
  }

  /** Backend now, to the microsecond like the durable backends store it. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  synchronized AlertOpenResult open(AlertOpenRequest request) {
    ActiveKey key = new ActiveKey(request.rule(), request.subject());
    UUID existing = active.get(key);
    if (existing != null) {
      return new AlertOpenResult(alerts.get(existing), false);
    }
    if (alerts.containsKey(request.id())) {
      throw new IllegalArgumentException(
          "alert id " + request.id() + " is taken by another alert; ids must be fresh");
    }
    Instant now = now();
    StoredAlert alert =
        new StoredAlert(
            request.id(),
            request.rule(),
            request.subject(),
            request.tenant(),
            AlertState.OPEN,
            now,
            now,
            1,
            request.body());
    alerts.put(alert.id(), alert);
    active.put(key, alert.id());
    return new AlertOpenResult(alert, true);
  }

  synchronized AlertUpdateResult update(AlertUpdateRequest request) {
    StoredAlert current = alerts.get(request.id());
    if (current == null) {
      return new AlertUpdateResult(Optional.empty(), false);
    }
    if (!current.state().active() || current.version() != request.expectedVersion()) {
      return new AlertUpdateResult(Optional.of(current), false);
    }
    StoredAlert updated =
        new StoredAlert(
            current.id(),
            current.rule(),
            current.subject(),
            current.tenant(),
            request.state(),
            current.openedAt(),
            now(),
            current.version() + 1,
            request.body());
    alerts.put(updated.id(), updated);
    if (!updated.state().active()) {
      active.remove(new ActiveKey(updated.rule(), updated.subject()), updated.id());
    }
    return new AlertUpdateResult(Optional.of(updated), true);
  }

  synchronized Optional<StoredAlert> find(UUID id) {
    return Optional.ofNullable(alerts.get(id));
  }

  synchronized AlertPage list(AlertListRequest request) {
    NavigableMap<UUID, StoredAlert> newestFirst =
        (request.before() == null ? alerts : alerts.headMap(request.before(), false))
            .descendingMap();
    List<StoredAlert> page = new ArrayList<>();
    for (StoredAlert a : newestFirst.values()) {
      if (page.size() >= request.limit()) {
        break;
      }
      if (request.matches(a)) {
        page.add(a);
      }
    }
    return AlertPage.of(page, request.limit());
  }

  synchronized long prune(AlertPruneRequest request) {
    Instant cutoff = now().minus(request.resolvedRetention());
    List<StoredAlert> old = new ArrayList<>();
    for (StoredAlert a : alerts.values()) {
      if (a.state() == AlertState.RESOLVED && a.updatedAt().isBefore(cutoff)) {
        old.add(a);
      }
    }
    // The longest resolved go first, so a bounded prune never starves the oldest.
    old.sort((x, y) -> x.updatedAt().compareTo(y.updatedAt()));
    long deleted = 0;
    for (StoredAlert a : old) {
      if (deleted >= request.limit()) {
        break;
      }
      alerts.remove(a.id());
      deleted++;
    }
    return deleted;
  }

  synchronized StoredSample writeSample(SampleWriteRequest request) {
    Instant now = now();
    StoredSample sample = new StoredSample(now, request.body());
    samples.put(new SampleKey(now, sampleSeq++), sample);
    // Everything older than keep goes: in memory that is a cheap cut of the map's head.
    samples.headMap(new SampleKey(now.minus(request.keep()), Long.MIN_VALUE), false).clear();
    return sample;
  }

  synchronized List<StoredSample> samples(SampleListRequest request) {
    Instant since = now().minus(request.since());
    List<StoredSample> newestFirst = new ArrayList<>();
    Iterator<StoredSample> it = samples.descendingMap().values().iterator();
    while (it.hasNext() && newestFirst.size() < request.limit()) {
      StoredSample s = it.next();
      if (!s.at().isAfter(since)) {
        break;
      }
      newestFirst.add(s);
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }
}
