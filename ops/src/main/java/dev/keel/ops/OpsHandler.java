package dev.keel.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.DrainOptions;
import dev.keel.queue.DrainReport;
import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.HealthThresholds;
import dev.keel.queue.InvalidInputException;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredSample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's routes, independent of any HTTP server: give it an {@link OpsRequest}, send back
 * the {@link OpsResponse}. Thread-safe. Routes and their JSON are in {@code docs/ops.md}.
 */
public final class OpsHandler {
  /** The dashboard's session cookie. */
  public static final String COOKIE = "keel_ops_session";

  /** The header carrying the CSRF token on POSTs of a browser session. */
  public static final String CSRF_HEADER = "X-Keel-CSRF";

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_JOB_LIMIT = 500;
  static final int MAX_ALERT_LIMIT = 200;
  static final int PROCESS_MAX_CAP = 50;
  static final long PROCESS_BUDGET_CAP_MS = 20_000;
  static final int REDRIVE_CAP = 1_000;

  private static final Logger log = LoggerFactory.getLogger(OpsHandler.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final String ASSET_DIR = "/dev/keel/ops/assets/";
  private static final Map<String, String> ASSET_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final OpsConsole console;
  private final Keel keel;
  private final ObjectMapper json;
  private final Map<String, byte[]> assets = new ConcurrentHashMap<>();

  OpsHandler(OpsConsole console) {
    this.console = console;
    this.keel = console.keel();
    this.json = console.json();
  }

  /** Answers one request. Never throws: failures become JSON error responses. */
  public OpsResponse handle(OpsRequest request) {
    try {
      return route(request);
    } catch (ApiError e) {
      return error(e.status, e.code, e.field, e.getMessage());
    } catch (InvalidInputException e) {
      return error(400, "bad_request", e.field(), e.field() + " " + e.rule());
    } catch (AlertService.NoSuchAlertException e) {
      return error(404, "not_found", null, e.getMessage());
    } catch (AlertService.AlertResolvedException e) {
      return error(409, "conflict", null, e.getMessage());
    } catch (BackendUnavailableException e) {
      log.warn("Ops request {} {}: backend unavailable", request.method(), request.path(), e);
      return error(503, "unavailable", null, "the backend did not answer: " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("Ops request {} {} failed", request.method(), request.path(), e);
      return error(500, "internal", null, "internal error; the server log has the details");
    }
  }

  // ---- routing --------------------------------------------------------------------------------

  private OpsResponse route(OpsRequest r) {
    String path = r.path().isEmpty() ? "/" : r.path();
    List<String> seg = segments(path);
    if (seg.isEmpty() || (seg.size() == 1 && seg.get(0).equals("index.html"))) {
      method(r, "GET");
      params(r);
      return asset("index.html");
    }
    switch (seg.get(0)) {
      case "assets":
        method(r, "GET");
        if (seg.size() != 2) {
          throw ApiError.notFound("no such asset");
        }
        return asset(seg.get(1));
      case "health":
        return health(r, seg);
      case "metrics":
        return metrics(r, seg);
      case "api":
        return api(r, seg.subList(1, seg.size()));
      default:
        throw ApiError.notFound("no such route: " + path);
    }
  }

  private OpsResponse health(OpsRequest r, List<String> seg) {
    method(r, "GET");
    params(r);
    if (console.healthRequiresAuth()) {
      authenticate(r);
    }
    if (seg.size() == 2 && seg.get(1).equals("live")) {
      return ok(json.createObjectNode().put("status", "UP"));
    }
    if (seg.size() == 2 && seg.get(1).equals("ready")) {
      HealthSnapshot h = keel.health();
      Boolean workerRunning = console.workerRunning();
      boolean up = h.backendReachable() && h.healthy() && !Boolean.FALSE.equals(workerRunning);
      ObjectNode o = json.createObjectNode();
      o.put("status", up ? "UP" : "DOWN");
      o.put("backend", h.backend());
      o.put("backendReachable", h.backendReachable());
      if (h.backendError() != null) {
        o.put("backendError", h.backendError());
      }
      if (workerRunning == null) {
        o.putNull("workerRunning");
      } else {
        o.put("workerRunning", workerRunning);
      }
      o.put("healthy", h.healthy());
      ArrayNode problems = o.putArray("problems");
      h.problems().forEach(problems::add);
      if (Boolean.FALSE.equals(workerRunning)) {
        problems.add("the worker is not running");
      }
      o.put("measuredAt", h.measuredAt().toString());
      o.set("counts", counts(h.counts()));
      o.put("stuck", h.stuck());
      o.put("failedLastHour", h.failedLastHour());
      putMs(o, "oldestDueAgeMs", h.oldestDueAge().orElse(null));
      return json(up ? 200 : 503, o);
    }
    throw ApiError.notFound("no such route: " + r.path());
  }

  private OpsResponse metrics(OpsRequest r, List<String> seg) {
    if (seg.size() != 1 || console.metrics() == null) {
      throw ApiError.notFound("no such route: " + r.path());
    }
    method(r, "GET");
    params(r);
    if (console.healthRequiresAuth()) {
      authenticate(r);
    }
    return OpsResponse.status(200)
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .body(
            console.metricsContentType(), console.metrics().get().getBytes(StandardCharsets.UTF_8));
  }

  private OpsResponse api(OpsRequest r, List<String> seg) {
    if (seg.isEmpty()) {
      throw ApiError.notFound("no such route: " + r.path());
    }
    if (seg.get(0).equals("session")) {
      return session(r, seg);
    }
    Auth auth = authenticate(r);
    if (r.method().equals("POST")) {
      checkCsrf(r, auth);
    }
    OpsPrincipal p = auth.principal;
    String head = seg.get(0);
    int n = seg.size();
    if (head.equals("overview") && n == 1) {
      method(r, "GET");
      return ok(overview(p, new Params(r, "tenant"), false));
    }
    if (head.equals("types") && n == 1) {
      method(r, "GET");
      ObjectNode o = json.createObjectNode();
      o.set("types", overview(p, new Params(r, "tenant"), true).get("types"));
      return ok(o);
    }
    if (head.equals("jobs")) {
      if (n == 1) {
        method(r, "GET");
        return ok(listJobs(p, r));
      }
      if (n == 2 && seg.get(1).equals("redrive")) {
        method(r, "POST");
        return ok(redrive(p, r));
      }
      UUID id = uuid("id", seg.get(1));
      if (n == 2) {
        method(r, "GET");
        Params q = new Params(r, "tenant");
        Job job = findJob(p, q.str("tenant"), id);
        return ok(jobDetail(job));
      }
      if (n == 3 && (seg.get(2).equals("retry") || seg.get(2).equals("cancel"))) {
        method(r, "POST");
        Params q = new Params(r, "tenant");
        Job job = findJob(p, q.str("tenant"), id);
        ChangeResult c =
            seg.get(2).equals("retry")
                ? keel.client().retry(job.tenant(), id)
                : keel.client().cancel(job.tenant(), id);
        Job after = c.job().orElseThrow(() -> ApiError.notFound("no job " + id));
        ObjectNode o = json.createObjectNode();
        o.put("changed", c.changed());
        o.set("job", jobDetail(after));
        return ok(o);
      }
    }
    if (head.equals("process") && n == 1) {
      method(r, "POST");
      return ok(process(p, r));
    }
    if (head.equals("backlog") && n == 1) {
      method(r, "GET");
      return ok(backlog(p, r));
    }
    if (head.equals("alerts")) {
      if (n == 1) {
        method(r, "GET");
        return ok(listAlerts(p, r));
      }
      UUID id = uuid("id", seg.get(1));
      if (n == 2) {
        method(r, "GET");
        params(r);
        return ok(
            console
                .alerts()
                .find(p, id)
                .orElseThrow(() -> ApiError.notFound("no alert " + id))
                .toJson(json));
      }
      if (n == 3) {
        method(r, "POST");
        Alert a;
        switch (seg.get(2)) {
          case "ack":
            params(r);
            a = console.alerts().acknowledge(p, id);
            break;
          case "snooze":
            Params q = new Params(r, "minutes");
            int minutes = q.intIn("minutes", 60, 1, 10_080);
            a = console.alerts().snooze(p, id, Duration.ofMinutes(minutes));
            break;
          case "resolve":
            params(r);
            a = console.alerts().resolve(p, id);
            break;
          default:
            throw ApiError.notFound("no such route: " + r.path());
        }
        return ok(a.toJson(json));
      }
    }
    throw ApiError.notFound("no such route: " + r.path());
  }

  // ---- session and access ---------------------------------------------------------------------

  private record Auth(OpsPrincipal principal, Sessions.Session session, boolean ambient) {}

  private Auth authenticate(OpsRequest r) {
    if (r.header("authorization") != null) {
      return console
          .authenticator()
          .authenticate(r)
          .map(p -> new Auth(p, null, console.authenticator().credentialsSentByBrowser()))
          .orElseThrow(ApiError::unauthenticated);
    }
    String cookie = r.cookie(COOKIE);
    if (cookie != null) {
      Optional<Sessions.Session> s = console.sessions().find(cookie);
      if (s.isPresent()) {
        return new Auth(s.get().principal(), s.get(), true);
      }
    }
    return console
        .authenticator()
        .authenticate(r)
        .map(p -> new Auth(p, null, console.authenticator().credentialsSentByBrowser()))
        .orElseThrow(ApiError::unauthenticated);
  }

  private void checkCsrf(OpsRequest r, Auth auth) {
    if (auth.session != null) {
      if (!Sessions.csrfMatches(auth.session, r.header(CSRF_HEADER))) {
        throw new ApiError(403, "forbidden", null, "missing or wrong " + CSRF_HEADER + " header");
      }
    } else if (auth.ambient) {
      // Credentials the browser sends by itself (a framework's session): the token is the one
      // GET api/session handed out for this principal, which a cross-site page cannot read.
      if (!console.sessions().principalCsrfMatches(auth.principal, r.header(CSRF_HEADER))) {
        throw new ApiError(403, "forbidden", null, "missing or wrong " + CSRF_HEADER + " header");
      }
    }
  }

  /** The CSRF token a page of this principal sends, or null when its requests need none. */
  private String csrfFor(Auth auth) {
    if (auth.session != null) {
      return auth.session.csrf();
    }
    return auth.ambient ? console.sessions().principalCsrf(auth.principal) : null;
  }

  private OpsResponse session(OpsRequest r, List<String> seg) {
    if (seg.size() == 1 && r.method().equals("GET")) {
      params(r);
      Auth auth = authenticate(r);
      return ok(sessionJson(auth.principal, csrfFor(auth)));
    }
    if (seg.size() == 1 && r.method().equals("POST")) {
      params(r);
      String token = loginToken(r);
      OpsPrincipal p = console.authenticator().login(token).orElseThrow(ApiError::unauthenticated);
      Sessions.Session s = console.sessions().create(p);
      log.info("Ops console: {} signed in", p.name());
      return OpsResponse.status(200)
          .header("Set-Cookie", cookie(r, s.id(), console.sessions().lifetime().toSeconds()))
          .header("Cache-Control", "no-store")
          .header("X-Content-Type-Options", "nosniff")
          .body(JSON, bytes(sessionJson(p, s.csrf())));
    }
    if (seg.size() == 2 && seg.get(1).equals("logout")) {
      method(r, "POST");
      params(r);
      Auth auth = authenticate(r);
      checkCsrf(r, auth);
      if (auth.session != null) {
        console.sessions().remove(auth.session.id());
      }
      return OpsResponse.status(200)
          .header("Set-Cookie", cookie(r, "", 0))
          .header("Cache-Control", "no-store")
          .body(JSON, bytes(json.createObjectNode()));
    }
    if (seg.size() == 1) {
      throw new ApiError(405, "method_not_allowed", null, "use GET or POST");
    }
    throw ApiError.notFound("no such route: " + r.path());
  }

  private String loginToken(OpsRequest r) {
    JsonNode body;
    try {
      body = json.readTree(r.body());
    } catch (IOException e) {
      throw ApiError.bad("token", "the body must be JSON like {\"token\": \"...\"}");
    }
    if (body == null || !body.path("token").isTextual() || body.path("token").asText().isEmpty()) {
      throw ApiError.bad("token", "token is required (a JSON body like {\"token\": \"...\"})");
    }
    return body.path("token").asText();
  }

  private String cookie(OpsRequest r, String value, long maxAgeSeconds) {
    return COOKIE
        + "="
        + value
        + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
        + maxAgeSeconds
        + (r.secure() || console.secureCookies() ? "; Secure" : "");
  }

  private ObjectNode sessionJson(OpsPrincipal p, String csrf) {
    ObjectNode o = json.createObjectNode();
    ObjectNode pj = o.putObject("principal");
    pj.put("name", p.name());
    pj.put("admin", p.admin());
    ArrayNode t = pj.putArray("tenants");
    p.tenants().forEach(t::add);
    if (csrf != null) {
      o.put("csrf", csrf);
    } else {
      o.putNull("csrf");
    }
    return o;
  }

  /** The one tenant a request acts on: named (and visible), or the principal's default. */
  private String tenant(OpsPrincipal p, String named) {
    if (named != null) {
      checkName("tenant", named);
      if (!p.canSee(named)) {
        throw ApiError.notFound("no tenant " + named);
      }
      return named;
    }
    return p.admin() ? "default" : p.tenants().first();
  }

  /** The tenants a read spans: the named one, every tenant (null) for an admin, or theirs. */
  private List<String> tenantsToRead(OpsPrincipal p, String named) {
    if (named != null) {
      return List.of(tenant(p, named));
    }
    if (p.admin()) {
      java.util.ArrayList<String> all = new java.util.ArrayList<>();
      all.add(null);
      return all;
    }
    return List.copyOf(p.tenants());
  }

  private Job findJob(OpsPrincipal p, String named, UUID id) {
    List<String> candidates =
        named != null || p.admin() ? List.of(tenant(p, named)) : List.copyOf(p.tenants());
    for (String t : candidates) {
      Optional<Job> j = keel.client().find(t, id);
      if (j.isPresent()) {
        return j.get();
      }
    }
    throw ApiError.notFound("no job " + id);
  }

  // ---- overview -------------------------------------------------------------------------------

  private ObjectNode overview(OpsPrincipal p, Params q, boolean typesOnly) {
    long start = System.nanoTime();
    String named = q.str("tenant");
    List<String> tenants = tenantsToRead(p, named);
    String backendName = keel.backend().capabilities().name();
    ObjectNode o = json.createObjectNode();
    o.put("backend", backendName);
    o.put("tenant", named != null ? named : (p.admin() ? null : String.join(",", p.tenants())));
    List<BackendStats> all = new ArrayList<>();
    try {
      for (String t : tenants) {
        all.add(keel.backend().stats(new StatsRequest(t, Duration.ofHours(1))));
      }
    } catch (BackendUnavailableException e) {
      log.warn("Ops overview: backend {} unreachable", backendName, e);
      o.put("reachable", false);
      o.put("healthy", false);
      o.putArray("problems").add("backend " + backendName + " unreachable: " + e.getMessage());
      o.putArray("types");
      o.put("elapsedMs", (System.nanoTime() - start) / 1_000_000);
      return o;
    }
    BackendStats s = merge(all);
    HealthThresholds th = console.thresholds();
    List<String> problems = new ArrayList<>();
    if (s.stuck() > th.maxStuck()) {
      problems.add(
          s.stuck() + " jobs stuck in RUNNING with an expired lease (max " + th.maxStuck() + ")");
    }
    if (s.failedInWindow() > th.maxFailedLastHour()) {
      problems.add(
          s.failedInWindow()
              + " jobs failed in the last hour (max "
              + th.maxFailedLastHour()
              + ")");
    }
    if (s.oldestDueAge().isPresent()
        && s.oldestDueAge().get().compareTo(th.maxOldestDueAge()) > 0) {
      problems.add(
          "oldest due job has waited "
              + AlertRules.human(s.oldestDueAge().get())
              + " (max "
              + AlertRules.human(th.maxOldestDueAge())
              + ")");
    }
    o.put("reachable", true);
    o.put("healthy", problems.isEmpty());
    ArrayNode pr = o.putArray("problems");
    problems.forEach(pr::add);
    o.put("measuredAt", s.measuredAt().toString());
    o.set("counts", counts(s.countsByState()));
    ObjectNode byQueue = o.putObject("byQueue");
    new TreeMap<>(s.countsByQueue()).forEach((k, v) -> byQueue.set(k, counts(v)));
    o.put("stuck", s.stuck());
    o.put("failedLastHour", s.failedInWindow());
    putMs(o, "oldestDueAgeMs", s.oldestDueAge().orElse(null));
    Set<String> typeNames = new TreeSet<>(keel.types());
    typeNames.addAll(s.countsByType().keySet());
    typeNames.addAll(s.finishedInWindowByType().keySet());
    ArrayNode types = o.putArray("types");
    for (String t : typeNames) {
      ObjectNode tj = types.addObject();
      tj.put("type", t);
      tj.put("hasHandler", keel.handles(t));
      tj.set("counts", counts(s.countsByType().getOrDefault(t, Map.of())));
      Map<JobState, Long> fin = s.finishedInWindowByType().getOrDefault(t, Map.of());
      ObjectNode lh = tj.putObject("lastHour");
      for (JobState st : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)) {
        lh.put(st.name(), fin.getOrDefault(st, 0L));
      }
      TypeDurations.Summary d = console.durations().summary(t);
      if (d == null) {
        tj.putNull("durations");
      } else {
        ObjectNode dj = tj.putObject("durations");
        dj.put("count", d.count());
        dj.put("p50Ms", d.p50Ms());
        dj.put("p95Ms", d.p95Ms());
        dj.put("p99Ms", d.p99Ms());
        dj.put("maxMs", d.maxMs());
      }
    }
    Boolean workerRunning = console.workerRunning();
    if (workerRunning == null) {
      o.putNull("workerRunning");
    } else {
      o.put("workerRunning", workerRunning);
    }
    o.put("elapsedMs", (System.nanoTime() - start) / 1_000_000);
    return o;
  }

  private static BackendStats merge(List<BackendStats> all) {
    if (all.size() == 1) {
      return all.get(0);
    }
    Map<JobState, Long> byState = new HashMap<>();
    Map<String, Map<JobState, Long>> byType = new HashMap<>();
    Map<String, Map<JobState, Long>> byQueue = new HashMap<>();
    Map<String, Map<JobState, Long>> finished = new HashMap<>();
    long stuck = 0;
    long failed = 0;
    Duration oldest = null;
    for (BackendStats s : all) {
      s.countsByState().forEach((k, v) -> byState.merge(k, v, Long::sum));
      addNested(byType, s.countsByType());
      addNested(byQueue, s.countsByQueue());
      addNested(finished, s.finishedInWindowByType());
      stuck += s.stuck();
      failed += s.failedInWindow();
      if (s.oldestDueAge().isPresent()
          && (oldest == null || s.oldestDueAge().get().compareTo(oldest) > 0)) {
        oldest = s.oldestDueAge().get();
      }
    }
    return new BackendStats(
        all.get(0).measuredAt(),
        byState,
        byType,
        stuck,
        failed,
        Optional.ofNullable(oldest),
        byQueue,
        finished);
  }

  private static void addNested(
      Map<String, Map<JobState, Long>> into, Map<String, Map<JobState, Long>> from) {
    from.forEach(
        (k, v) ->
            v.forEach(
                (st, n) -> into.computeIfAbsent(k, x -> new HashMap<>()).merge(st, n, Long::sum)));
  }

  // ---- jobs -----------------------------------------------------------------------------------

  private ObjectNode listJobs(OpsPrincipal p, OpsRequest r) {
    Params q = new Params(r, "tenant", "state", "type", "queue", "from", "to", "after", "limit");
    String tenant = tenant(p, q.str("tenant"));
    Set<JobState> states = q.states("state");
    Instant from = q.instant("from");
    Instant to = q.instant("to");
    if (from != null && to != null && to.isBefore(from)) {
      throw ApiError.bad("to", "to must not be before from");
    }
    UUID after = q.uuid("after");
    int limit = q.intIn("limit", DEFAULT_LIMIT, 1, MAX_JOB_LIMIT);
    if (from != null) {
      // Ids are time-ordered (UUID version 7: the first 48 bits are Unix milliseconds), so a
      // creation-time lower bound is an id lower bound: every id of that millisecond or later is
      // greater than this one.
      UUID bound = new UUID(from.toEpochMilli() << 16, 0);
      if (after == null || after.compareTo(bound) < 0) {
        after = bound;
      }
    }
    JobPage page =
        keel.client()
            .list(new JobQuery(tenant, states, q.str("type"), q.str("queue"), after, limit));
    List<Job> jobs = page.jobs();
    Optional<UUID> next = page.next();
    if (to != null) {
      long toMs = to.toEpochMilli();
      List<Job> kept = new ArrayList<>();
      for (Job j : jobs) {
        if ((j.id().getMostSignificantBits() >>> 16) > toMs) {
          next = Optional.empty(); // ids ascend: everything after this one is later still
          break;
        }
        kept.add(j);
      }
      jobs = kept;
    }
    ObjectNode o = json.createObjectNode();
    o.put("tenant", tenant);
    ArrayNode arr = o.putArray("jobs");
    for (Job j : jobs) {
      arr.add(jobSummary(j));
    }
    if (next.isPresent()) {
      o.put("next", next.get().toString());
    } else {
      o.putNull("next");
    }
    return o;
  }

  private ObjectNode redrive(OpsPrincipal p, OpsRequest r) {
    Params q = new Params(r, "tenant", "type", "queue", "max");
    String tenant = tenant(p, q.str("tenant"));
    int max = q.intIn("max", 100, 1, REDRIVE_CAP);
    String type = q.str("type");
    String queue = q.str("queue");
    int examined = 0;
    int redriven = 0;
    boolean more = false;
    UUID after = null;
    while (true) {
      int want = Math.min(JobQuery.MAX_LIMIT, max - examined);
      JobPage page =
          keel.client()
              .list(new JobQuery(tenant, Set.of(JobState.FAILED), type, queue, after, want));
      for (Job j : page.jobs()) {
        examined++;
        if (keel.client().retry(tenant, j.id()).changed()) {
          redriven++;
        }
      }
      if (page.next().isEmpty()) {
        break;
      }
      if (examined >= max) {
        more = true;
        break;
      }
      after = page.next().get();
    }
    log.info(
        "Ops console: {} re-drove {} FAILED jobs (tenant {}, type {}, queue {})",
        p.name(),
        redriven,
        tenant,
        type,
        queue);
    ObjectNode o = json.createObjectNode();
    o.put("tenant", tenant);
    o.put("redriven", redriven);
    o.put("examined", examined);
    o.put("more", more);
    return o;
  }

  private ObjectNode jobSummary(Job j) {
    ObjectNode o = json.createObjectNode();
    o.put("id", j.id().toString());
    o.put("type", j.type());
    o.put("queue", j.queue());
    o.put("tenant", j.tenant());
    o.put("state", j.state().name());
    o.put("attempt", j.attempt());
    o.put("maxAttempts", j.maxAttempts());
    o.put("priority", j.priority());
    putTime(o, "runAt", j.runAt());
    putTime(o, "createdAt", j.createdAt());
    putTime(o, "startedAt", j.startedAt());
    putTime(o, "finishedAt", j.finishedAt());
    o.put("lastError", j.lastError() == null ? null : j.lastError().message());
    return o;
  }

  private ObjectNode jobDetail(Job j) {
    ObjectNode o = jobSummary(j);
    o.remove("lastError");
    try {
      o.set("payload", json.readTree(j.payload()));
    } catch (IOException e) {
      o.put("payload", j.payload());
    }
    ObjectNode md = o.putObject("metadata");
    new TreeMap<>(j.metadata()).forEach(md::put);
    if (j.links().isNone()) {
      o.putNull("links");
    } else {
      ObjectNode l = o.putObject("links");
      l.put("blocked", j.links().blocked());
      l.put("batchId", j.links().batchId() == null ? null : j.links().batchId().toString());
      l.put(
          "callbackOf", j.links().callbackOf() == null ? null : j.links().callbackOf().toString());
      var deps = l.putArray("dependsOn");
      j.links().dependsOn().forEach(d -> deps.add(d.toString()));
    }
    putSteps(o, j);
    if (j.progress() == null) {
      o.putNull("progress");
    } else {
      o.putObject("progress")
          .put("percent", j.progress().percent())
          .put("message", j.progress().message());
    }
    if (j.lastError() == null) {
      o.putNull("error");
    } else {
      o.putObject("error")
          .put("message", j.lastError().message())
          .put("stackTrace", j.lastError().stackTrace());
    }
    if (j.lease().isPresent()) {
      ObjectNode l = o.putObject("lease");
      l.put("owner", j.leaseOwner());
      putTime(l, "expiresAt", j.leaseExpiresAt());
    } else {
      o.putNull("lease");
    }
    putTime(o, "heartbeatAt", j.heartbeatAt());
    o.put("idempotencyKey", j.idempotencyKey());
    o.put("traceparent", j.traceparent());
    putMs(o, "timeoutMs", j.timeout());
    return o;
  }

  /** The job's durable steps, or null when it has none (or the backend keeps none). */
  private void putSteps(ObjectNode o, Job j) {
    if (!keel.backend().capabilities().steps()) {
      o.putNull("steps");
      return;
    }
    dev.keel.queue.steps.StepReport r = keel.client().steps(j.tenant(), j.id()).orElse(null);
    if (r == null || (r.steps().isEmpty() && r.signals().isEmpty())) {
      o.putNull("steps");
      return;
    }
    ObjectNode s = o.putObject("steps");
    s.put("compensation", r.compensation() == null ? null : r.compensation().name());
    s.put("compensationReason", r.compensationReason());
    var list = s.putArray("steps");
    for (dev.keel.queue.steps.StepInfo i : r.steps()) {
      ObjectNode e = list.addObject();
      e.put("name", i.name());
      e.put("kind", i.kind() == null ? null : i.kind().name());
      e.put("state", i.state().name());
      e.put("result", i.resultSummary());
      e.put("attempt", i.attempt());
      putTime(e, "startedAt", i.startedAt());
      putTime(e, "finishedAt", i.finishedAt());
      putTime(e, "until", i.until());
      e.put("error", i.error());
      e.put("compensable", i.compensable());
      e.put("compensationAttempts", i.compensationAttempts());
    }
    var signals = s.putArray("signals");
    for (dev.keel.queue.steps.StepReport.Signal sig : r.signals()) {
      ObjectNode e = signals.addObject();
      e.put("name", sig.name());
      putTime(e, "sentAt", sig.sentAt());
    }
  }

  // ---- process by type ------------------------------------------------------------------------

  private ObjectNode process(OpsPrincipal p, OpsRequest r) {
    Params q = new Params(r, "max", "budgetMs", "type", "tenant", "balanced");
    int max = q.intIn("max", 1, 1, PROCESS_MAX_CAP);
    long budget = q.longIn("budgetMs", PROCESS_BUDGET_CAP_MS, 1, PROCESS_BUDGET_CAP_MS);
    String named = q.str("tenant");
    String tenant;
    if (named != null) {
      tenant = tenant(p, named);
    } else if (p.admin()) {
      tenant = null;
    } else if (p.tenants().size() == 1) {
      tenant = p.tenants().first();
    } else {
      throw ApiError.bad("tenant", "tenant is required: you operate several tenants");
    }
    Set<String> types = new LinkedHashSet<>();
    for (String t : q.list("type")) {
      checkName("type", t);
      if (!keel.handles(t)) {
        throw ApiError.bad("type", "no handler is registered here for type '" + t + "'");
      }
      types.add(t);
    }
    Map<String, Integer> caps = new LinkedHashMap<>();
    for (String entry : q.list("balanced")) {
      int colon = entry.lastIndexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw ApiError.bad("balanced", "each cap must look like type:count, was '" + entry + "'");
      }
      String t = entry.substring(0, colon);
      checkName("balanced", t);
      if (!keel.handles(t)) {
        throw ApiError.bad("balanced", "no handler is registered here for type '" + t + "'");
      }
      int cap;
      try {
        cap = Integer.parseInt(entry.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw ApiError.bad("balanced", "the cap of " + t + " must be a whole number");
      }
      if (cap < 0 || cap > PROCESS_MAX_CAP) {
        throw ApiError.bad(
            "balanced", "the cap of " + t + " must be between 0 and " + PROCESS_MAX_CAP);
      }
      if (caps.put(t, cap) != null) {
        throw ApiError.bad("balanced", "type " + t + " is capped twice");
      }
    }
    DrainOptions options =
        new DrainOptions(max, Duration.ofMillis(budget), types, Set.of(), tenant, caps);
    DrainReport d = keel.drain(options);
    log.info(
        "Ops console: {} processed {} jobs (types {}, tenant {}, caps {}): {}",
        p.name(),
        d.ran(),
        types,
        tenant,
        caps,
        d);
    ObjectNode o = json.createObjectNode();
    o.put("ran", d.ran());
    o.put("succeeded", d.succeeded());
    o.put("retried", d.retried());
    o.put("failed", d.failed());
    o.put("snoozed", d.snoozed());
    o.put("cancelled", d.cancelled());
    o.put("leaseLost", d.leaseLost());
    o.put("elapsedMs", d.elapsed().toMillis());
    o.put("stoppedBecause", d.stoppedBecause().name());
    return o;
  }

  // ---- backlog --------------------------------------------------------------------------------

  private ObjectNode backlog(OpsPrincipal p, OpsRequest r) {
    Params q = new Params(r, "hours", "tenant");
    long maxHours = Math.max(1, console.sampleRetention().toHours());
    int hours = q.intIn("hours", (int) Math.min(6, maxHours), 1, (int) maxHours);
    String named = q.str("tenant");
    List<String> tenants = tenantsToRead(p, named);
    List<StoredSample> samples =
        keel.backend()
            .samples(new SampleListRequest(Duration.ofHours(hours), SampleListRequest.MAX_LIMIT));
    ObjectNode o = json.createObjectNode();
    o.put("hours", hours);
    ArrayNode arr = o.putArray("samples");
    for (StoredSample s : samples) {
      JsonNode body;
      try {
        body = json.readTree(s.body());
      } catch (IOException e) {
        log.warn("Skipping a backlog sample taken at {} whose body is not JSON", s.at(), e);
        continue;
      }
      ObjectNode counts = json.createObjectNode();
      boolean any = false;
      for (String t : tenants) {
        JsonNode c = t == null ? body.get("counts") : body.path("tenants").get(t);
        if (c == null) {
          continue; // not sampled for this tenant (then, or at all)
        }
        any = true;
        for (JobState st : JobState.values()) {
          counts.put(st.name(), counts.path(st.name()).asLong(0) + c.path(st.name()).asLong(0));
        }
      }
      if (any) {
        ObjectNode sj = arr.addObject();
        sj.put("at", s.at().toString());
        sj.set("counts", counts);
      }
    }
    return o;
  }

  // ---- alerts ---------------------------------------------------------------------------------

  private ObjectNode listAlerts(OpsPrincipal p, OpsRequest r) {
    Params q = new Params(r, "state", "before", "limit");
    Set<AlertState> states = new LinkedHashSet<>();
    for (String s : q.list("state")) {
      try {
        states.add(AlertState.valueOf(s));
      } catch (IllegalArgumentException e) {
        throw ApiError.bad(
            "state",
            "unknown alert state '" + s + "'; use OPEN, ACKNOWLEDGED, SNOOZED or RESOLVED");
      }
    }
    AlertPage page =
        console
            .alerts()
            .list(p, states, q.uuid("before"), q.intIn("limit", DEFAULT_LIMIT, 1, MAX_ALERT_LIMIT));
    ObjectNode o = json.createObjectNode();
    ArrayNode arr = o.putArray("alerts");
    for (StoredAlert a : page.alerts()) {
      arr.add(console.alerts().read(a).toJson(json));
    }
    if (page.next().isPresent()) {
      o.put("next", page.next().get().toString());
    } else {
      o.putNull("next");
    }
    return o;
  }

  // ---- responses ------------------------------------------------------------------------------

  private OpsResponse asset(String name) {
    if (!name.matches("[a-z0-9][a-z0-9.-]{0,63}") || name.contains("..")) {
      throw ApiError.notFound("no such asset");
    }
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : ASSET_TYPES.get(name.substring(dot + 1));
    if (type == null) {
      throw ApiError.notFound("no such asset");
    }
    byte[] body = assets.computeIfAbsent(name, this::load);
    if (body.length == 0) {
      throw ApiError.notFound("no such asset: " + name);
    }
    return OpsResponse.status(200)
        .header("Cache-Control", "no-cache")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Frame-Options", "DENY")
        .header("Content-Security-Policy", CSP)
        .body(type, body);
  }

  private byte[] load(String name) {
    try (InputStream in = OpsHandler.class.getResourceAsStream(ASSET_DIR + name)) {
      return in == null ? new byte[0] : in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the console asset " + name, e);
    }
  }

  private OpsResponse ok(ObjectNode body) {
    return json(200, body);
  }

  private OpsResponse json(int status, ObjectNode body) {
    return OpsResponse.status(status)
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .body(JSON, bytes(body));
  }

  private OpsResponse error(int status, String code, String field, String message) {
    ObjectNode o = json.createObjectNode();
    o.put("error", code);
    if (field != null) {
      o.put("field", field);
    }
    o.put("message", message);
    OpsResponse.Builder b = OpsResponse.status(status);
    if (status == 401) {
      b.header("WWW-Authenticate", "Bearer realm=\"keel-ops\"");
    }
    return b.header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .body(JSON, bytes(o));
  }

  private byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private ObjectNode counts(Map<JobState, Long> m) {
    ObjectNode o = json.createObjectNode();
    for (JobState s : JobState.values()) {
      o.put(s.name(), m.getOrDefault(s, 0L));
    }
    return o;
  }

  private static void putTime(ObjectNode o, String k, Instant v) {
    if (v == null) {
      o.putNull(k);
    } else {
      o.put(k, v.toString());
    }
  }

  private static void putMs(ObjectNode o, String k, Duration d) {
    if (d == null) {
      o.putNull(k);
    } else {
      o.put(k, d.toMillis());
    }
  }

  // ---- request parsing ------------------------------------------------------------------------

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(java.net.URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void method(OpsRequest r, String expected) {
    if (!r.method().equals(expected)) {
      throw new ApiError(
          405, "method_not_allowed", null, r.method() + " is not allowed here; use " + expected);
    }
  }

  private static void params(OpsRequest r) {
    new Params(r);
  }

  private static UUID uuid(String field, String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      throw ApiError.bad(field, field + " must be a UUID, was '" + clip(s) + "'");
    }
  }

  static void checkName(String field, String value) {
    if (value.isEmpty()
        || value.length() > 200
        || !value.chars().allMatch(c -> c > 32 && c < 127)) {
      throw ApiError.bad(
          field, field + " must be 1 to 200 printable ASCII characters without spaces");
    }
  }

  static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  /** Query parameters with strict validation: unknown or repeated names are refused. */
  static final class Params {
    private final Map<String, String> values = new HashMap<>();

    Params(OpsRequest r, String... allowed) {
      Set<String> ok = Set.of(allowed);
      for (Map.Entry<String, List<String>> e : r.query().entrySet()) {
        if (!ok.contains(e.getKey())) {
          throw ApiError.bad(
              clip(e.getKey()),
              "unknown parameter '"
                  + clip(e.getKey())
                  + "'"
                  + (ok.isEmpty() ? "; this route takes none" : "; allowed: " + new TreeSet<>(ok)));
        }
        if (e.getValue().size() > 1) {
          throw ApiError.bad(e.getKey(), e.getKey() + " given more than once");
        }
        String v = e.getValue().get(0);
        if (!v.isEmpty()) {
          values.put(e.getKey(), v);
        }
      }
    }

    String str(String name) {
      return values.get(name);
    }

    List<String> list(String name) {
      String v = values.get(name);
      if (v == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (String s : v.split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
      return out;
    }

    int intIn(String name, int dflt, int min, int max) {
      return (int) longIn(name, dflt, min, max);
    }

    long longIn(String name, long dflt, long min, long max) {
      String v = values.get(name);
      if (v == null) {
        return dflt;
      }
      long n;
      try {
        n = Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw ApiError.bad(name, name + " must be a whole number, was '" + clip(v) + "'");
      }
      if (n < min || n > max) {
        throw ApiError.bad(name, name + " must be between " + min + " and " + max + ", was " + n);
      }
      return n;
    }

    Set<JobState> states(String name) {
      Set<JobState> out = new LinkedHashSet<>();
      for (String s : list(name)) {
        try {
          out.add(JobState.valueOf(s));
        } catch (IllegalArgumentException e) {
          throw ApiError.bad(
              name,
              "unknown state '"
                  + clip(s)
                  + "'; use PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED");
        }
      }
      return out;
    }

    Instant instant(String name) {
      String v = values.get(name);
      if (v == null) {
        return null;
      }
      try {
        return Instant.parse(v);
      } catch (DateTimeParseException e) {
        throw ApiError.bad(
            name,
            name + " must be an ISO-8601 instant like 2026-12-06T10:00:00Z, was '" + clip(v) + "'");
      }
    }

    UUID uuid(String name) {
      String v = values.get(name);
      return v == null ? null : OpsHandler.uuid(name, v);
    }
  }

  /** An error the API answers with; {@code field} names the offending parameter for 400s. */
  static final class ApiError extends RuntimeException {
    final int status;
    final String code;
    final String field;

    ApiError(int status, String code, String field, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.field = field;
    }

    static ApiError bad(String field, String message) {
      return new ApiError(400, "bad_request", field, message);
    }

    static ApiError notFound(String message) {
      return new ApiError(404, "not_found", null, message);
    }

    static ApiError unauthenticated() {
      return new ApiError(401, "unauthenticated", null, "sign in: a valid token is required");
    }
  }
}
