package dev.keel.queue.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.StartupMode;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and opens the backend named by the environment. Backends are found with {@link
 * ServiceLoader}, so a backend module on the classpath is all it takes to make its name valid.
 */
public final class EnvironmentBackends {
  public static final String KEEL_BACKEND = "KEEL_BACKEND";
  public static final String LEGACY_BACKEND = "JOB_QUEUE_BACKEND";
  private static final Logger log = LoggerFactory.getLogger(EnvironmentBackends.class);
  private static final Map<String, String> MODULES =
      Map.of(
          "inline",
          "dev.keel:queue-inline",
          "postgres",
          "dev.keel:queue-postgres",
          "redis",
          "dev.keel:queue-redis");

  private EnvironmentBackends() {}

  /** The backend name the environment asks for ({@code inline} when nothing is set). */
  static String requestedName(Map<String, String> env) {
    String keel = blankToNull(env.get(KEEL_BACKEND));
    String legacy = blankToNull(env.get(LEGACY_BACKEND));
    if (keel != null && legacy != null && !keel.equalsIgnoreCase(legacy)) {
      log.warn(
          "{}={} and {}={} disagree; using {}",
          KEEL_BACKEND,
          keel,
          LEGACY_BACKEND,
          legacy,
          KEEL_BACKEND);
    }
    String name = keel != null ? keel : legacy;
    return name == null ? null : name.trim().toLowerCase(Locale.ROOT);
  }

  public static QueueBackend open(Map<String, String> env, StartupMode mode, InstantSource clock) {
    String name = requestedName(env);
    if (name == null) {
      log.warn(
          "Neither {} nor {} is set: using the inline backend. Jobs live in memory only and are lost when this process stops.",
          KEEL_BACKEND,
          LEGACY_BACKEND);
      name = "inline";
    }
    QueueBackendProvider provider = find(name);
    String url = null;
    String urlVariable = null;
    for (String var : provider.urlVariables()) {
      String value = blankToNull(env.get(var));
      if (value != null) {
        url = value;
        urlVariable = var;
        break;
      }
    }
    if (!provider.urlVariables().isEmpty() && url == null) {
      throw new KeelConfigurationException(
          "backend '"
              + provider.name()
              + "' was chosen but its URL is missing: set "
              + String.join(" or ", provider.urlVariables()));
    }
    BackendSettings settings = new BackendSettings(url, clock, env);
    String where =
        url == null
            ? provider.name()
            : provider.name() + " at " + UrlMasker.mask(url) + " (from " + urlVariable + ")";
    try {
      QueueBackend backend = provider.open(settings);
      log.info("Keel backend: {}", where);
      return backend;
    } catch (BackendUnavailableException unmasked) {
      RuntimeException e = UrlMasker.masked(unmasked);
      if (mode == StartupMode.DEGRADED) {
        log.error(
            "Backend {} unreachable at start; starting DEGRADED: enqueue fails and health reports down until it answers",
            where,
            e);
        return new ReconnectingBackend(provider, settings, where, e);
      }
      throw new BackendUnavailableException(
          "backend "
              + where
              + " is unreachable: "
              + e.getMessage()
              + ". Check that the server runs and the URL, user and password are right, or start with StartupMode.DEGRADED.",
          e);
    } catch (KeelConfigurationException e) {
      throw new KeelConfigurationException(UrlMasker.mask(e.getMessage()), UrlMasker.masked(e));
    } catch (RuntimeException unexpected) {
      throw new KeelConfigurationException(
          "backend "
              + where
              + " could not be opened: "
              + UrlMasker.mask(String.valueOf(unexpected.getMessage())),
          UrlMasker.masked(unexpected));
    }
  }

  static QueueBackendProvider find(String name) {
    List<QueueBackendProvider> all = new ArrayList<>();
    ServiceLoader.load(QueueBackendProvider.class).forEach(all::add);
    for (QueueBackendProvider p : all) {
      if (p.name().equalsIgnoreCase(name) || p.aliases().contains(name)) {
        return p;
      }
    }
    TreeSet<String> known = new TreeSet<>();
    for (QueueBackendProvider p : all) {
      known.add(p.name());
      known.addAll(p.aliases());
    }
    String canonical = "rq".equals(name) ? "redis" : "postgresql".equals(name) ? "postgres" : name;
    String module = MODULES.get(canonical);
    if (module != null) {
      throw new KeelConfigurationException(
          KEEL_BACKEND
              + "="
              + name
              + " needs the "
              + module
              + " module on the classpath (available here: "
              + known
              + ")");
    }
    throw new KeelConfigurationException(
        KEEL_BACKEND
            + "="
            + name
            + " is not a known backend; use one of inline, postgres, redis (rq) (available here: "
            + known
            + ")");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
