package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.KeelConfigurationException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {
  static OutboxTestDatabase db;
  static DeliveryLedger resend;
  static DeliveryLedger hold;

  record Email(String to, String subject) {}

  /** Stands in for the process dying between "send" and "mark sent". */
  static final class SimulatedCrash extends Error {
    SimulatedCrash() {
      super("process died mid-send");
    }
  }

  @BeforeAll
  static void setUp() {
    db = OutboxTestDatabase.forClass(DeliveryLedgerTest.class);
    resend =
        db.outbox()
            .ledger()
            .inFlightPolicy(InFlightPolicy.RESEND_WITH_SAME_PROVIDER_KEY)
            .sendingLease(Duration.ofMillis(300))
            .build();
    hold =
        DeliveryLedger.builder()
            .dataSource(OutboxTestDatabase.dataSource())
            .schema(db.schema())
            .inFlightPolicy(InFlightPolicy.HOLD_FOR_REVIEW)
            .sendingLease(Duration.ofMillis(300))
            .build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void replayOfASentKeyReturnsTheStoredOutcomeWithoutCallingTheEffect() {
    AtomicInteger calls = new AtomicInteger();
    Email email = new Email("ann@example.com", "Welcome");
    DeliveryReceipt first =
        resend.execute(
            "welcome:ann",
            email,
            a -> {
              calls.incrementAndGet();
              return DeliveryOutcome.of("msg-" + a.providerKey(), "250 queued");
            });
    DeliveryReceipt second =
        resend.execute(
            "welcome:ann",
            new Email("ann@example.com", "Welcome"),
            a -> {
              calls.incrementAndGet();
              return DeliveryOutcome.of("other", "other");
            });
    assertThat(calls).hasValue(1);
    assertThat(first.replayed()).isFalse();
    assertThat(second.replayed()).isTrue();
    assertThat(second.outcome()).isEqualTo(first.outcome());
    assertThat(second.attempts()).isEqualTo(1);
    LedgerEntry e = resend.find("default", "welcome:ann").orElseThrow();
    assertThat(e.state()).isEqualTo(LedgerState.SENT);
    assertThat(e.providerMessageId()).startsWith("msg-keel-");
    assertThat(e.responseSummary()).isEqualTo("250 queued");
    assertThat(e.sentAt()).isNotNull();
    assertThat(e.payloadHash()).hasSize(64);
  }

  @Test
  void sameKeyWithADifferentPayloadIsAConflictAndChangesNothing() {
    resend.execute("charge:1", Map.of("cents", 100), a -> DeliveryOutcome.of("ch_1", null));
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                resend.execute(
                    "charge:1",
                    Map.of("cents", 200),
                    a -> {
                      calls.incrementAndGet();
                      return DeliveryOutcome.none();
                    }))
        .isInstanceOf(LedgerConflictException.class)
        .hasMessageContaining("charge:1");
    assertThat(calls).hasValue(0);
    assertThat(resend.find("default", "charge:1").orElseThrow().providerMessageId())
        .isEqualTo("ch_1");
  }

  @Test
  void payloadHashIsCanonicalAcrossFieldOrderTypesAndNumberSpelling() throws Exception {
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("to", "bo@example.com");
    ordered.put("subject", "Welcome");
    resend.execute("canon", ordered, a -> DeliveryOutcome.none());
    ObjectMapper mapper = new ObjectMapper();
    DeliveryReceipt r =
        resend.execute(
            "canon",
            mapper.readTree("{\"subject\":\"Welcome\",  \"to\":\"bo@example.com\"}"),
            a -> DeliveryOutcome.none());
    assertThat(r.replayed()).isTrue();
    resend.execute("canon-n", mapper.readTree("{\"n\": 1.50}"), a -> DeliveryOutcome.none());
    assertThat(
            resend
                .execute("canon-n", mapper.readTree("{\"n\": 1.5}"), a -> DeliveryOutcome.none())
                .replayed())
        .isTrue();
  }

  @Test
  void keysAreScopedByTenant() {
    resend.execute("acme", "k", "x", a -> DeliveryOutcome.of("a", null));
    DeliveryReceipt other = resend.execute("globex", "k", "y", a -> DeliveryOutcome.of("g", null));
    assertThat(other.replayed()).isFalse();
    assertThat(other.outcome().providerMessageId()).isEqualTo("g");
  }

  @Test
  void failedEffectIsRecordedRethrownUnwrappedAndRetriedWithTheSameProviderKey() {
    List<DeliveryAttempt> attempts = new ArrayList<>();
    assertThatThrownBy(
            () ->
                resend.execute(
                    "flaky",
                    "p",
                    a -> {
                      attempts.add(a);
                      throw new IOException("smtp timeout");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("smtp timeout");
    LedgerEntry failed = resend.find("default", "flaky").orElseThrow();
    assertThat(failed.state()).isEqualTo(LedgerState.FAILED);
    assertThat(failed.lastError()).contains("smtp timeout");
    DeliveryReceipt ok =
        resend.execute(
            "flaky",
            "p",
            a -> {
              attempts.add(a);
              return DeliveryOutcome.of("id-2", "ok");
            });
    assertThat(ok.attempts()).isEqualTo(2);
    assertThat(attempts)
        .extracting(DeliveryAttempt::providerKey)
        .containsOnly(failed.providerKey());
    assertThat(attempts).extracting(DeliveryAttempt::attempt).containsExactly(1, 2);
    assertThat(attempts).noneMatch(DeliveryAttempt::resumedAfterInterruption);
  }

  private static void crashWhileSending(DeliveryLedger ledger, String key) {
    assertThatThrownBy(
            () ->
                ledger.execute(
                    key,
                    "payload",
                    a -> {
                      throw new SimulatedCrash();
                    }))
        .isInstanceOf(SimulatedCrash.class);
    LedgerEntry e = ledger.find("default", key).orElseThrow();
    assertThat(e.state()).isEqualTo(LedgerState.SENDING);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ledger.find("default", key).orElseThrow().leaseExpired());
    assertThat(ledger.interruptedSends(100)).extracting(LedgerEntry::key).contains(key);
  }

  @Test
  void crashWhileSendingUnderResendPolicyCallsTheEffectAgainWithTheSameProviderKey() {
    crashWhileSending(resend, "crash-resend");
    String providerKey = resend.find("default", "crash-resend").orElseThrow().providerKey();
    List<DeliveryAttempt> seen = new ArrayList<>();
    DeliveryReceipt r =
        resend.execute(
            "crash-resend",
            "payload",
            a -> {
              seen.add(a);
              return DeliveryOutcome.of("p-1", "accepted");
            });
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).providerKey()).isEqualTo(providerKey);
    assertThat(seen.get(0).resumedAfterInterruption()).isTrue();
    assertThat(seen.get(0).attempt()).isEqualTo(2);
    assertThat(r.replayed()).isFalse();
    assertThat(resend.find("default", "crash-resend").orElseThrow().state())
        .isEqualTo(LedgerState.SENT);
  }

  @Test
  void crashWhileSendingUnderHoldPolicyIsRefusedAndLeftForAPerson() {
    crashWhileSending(hold, "crash-hold");
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                hold.execute(
                    "crash-hold",
                    "payload",
                    a -> {
                      calls.incrementAndGet();
                      return DeliveryOutcome.none();
                    }))
        .isInstanceOfSatisfying(
            DeliveryHeldForReviewException.class,
            e -> assertThat(e.entry().state()).isEqualTo(LedgerState.SENDING));
    assertThat(calls).hasValue(0);
    assertThat(hold.find("default", "crash-hold").orElseThrow().state())
        .isEqualTo(LedgerState.SENDING);

    // The person checked the provider: it was sent.
    assertThat(hold.resolveAsSent("default", "crash-hold", DeliveryOutcome.of("found", "manual")))
        .isTrue();
    DeliveryReceipt r = hold.execute("crash-hold", "payload", a -> DeliveryOutcome.none());
    assertThat(r.replayed()).isTrue();
    assertThat(r.outcome().providerMessageId()).isEqualTo("found");
    assertThat(calls).hasValue(0);
  }

  @Test
  void heldEntryResolvedAsNotSentIsSentByTheNextExecute() {
    crashWhileSending(hold, "crash-hold-2");
    assertThat(hold.resolveAsNotSent("default", "crash-hold-2", "provider has no record")).isTrue();
    assertThat(hold.resolveAsNotSent("default", "crash-hold-2", "again")).isFalse();
    DeliveryReceipt r = hold.execute("crash-hold-2", "payload", a -> DeliveryOutcome.of("n", null));
    assertThat(r.replayed()).isFalse();
    assertThat(r.attempts()).isEqualTo(2);
  }

  @Test
  void concurrentExecutesOfOneKeyCallTheEffectOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  DeliveryReceipt r =
                      DeliveryLedgerTest.resend.execute(
                          "concurrent",
                          "same",
                          a -> {
                            calls.incrementAndGet();
                            return DeliveryOutcome.of("only", null);
                          });
                  return r.replayed() ? "replayed" : "sent";
                } catch (DeliveryInProgressException e) {
                  return "in-progress";
                }
              }));
    }
    start.countDown();
    List<String> outcomes = new ArrayList<>();
    for (Future<String> f : results) {
      outcomes.add(f.get(10, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(calls).hasValue(1);
    assertThat(outcomes).containsOnlyOnce("sent");
    assertThat(resend.execute("concurrent", "same", a -> DeliveryOutcome.none()).replayed())
        .isTrue();
  }

  @Test
  void senderWhoseLeaseWasTakenOverCannotStoreItsOutcome() throws Exception {
    CountDownLatch inEffect = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ExecutorService t = Executors.newSingleThreadExecutor();
    Future<DeliveryReceipt> slow =
        t.submit(
            () ->
                resend.execute(
                    "slow",
                    "p",
                    a -> {
                      inEffect.countDown();
                      finish.await();
                      return DeliveryOutcome.of("slow", null);
                    }));
    assertThat(inEffect.await(5, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> resend.find("default", "slow").orElseThrow().leaseExpired());
    resend.execute("slow", "p", a -> DeliveryOutcome.of("takeover", null));
    finish.countDown();
    assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LedgerLeaseLostException.class);
    t.shutdown();
    assertThat(resend.find("default", "slow").orElseThrow().providerMessageId())
        .isEqualTo("takeover");
  }

  @Test
  void badKeysAndMissingPolicyAreRefused() {
    assertThatThrownBy(() -> resend.execute("", "p", a -> DeliveryOutcome.none()))
        .isInstanceOfSatisfying(
            InvalidLedgerKeyException.class, e -> assertThat(e.field()).isEqualTo("key"));
    assertThatThrownBy(() -> resend.execute("bad tenant", "k", "p", a -> DeliveryOutcome.none()))
        .isInstanceOfSatisfying(
            InvalidLedgerKeyException.class, e -> assertThat(e.field()).isEqualTo("tenant"));
    assertThatThrownBy(
            () -> DeliveryLedger.builder().dataSource(OutboxTestDatabase.dataSource()).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("inFlightPolicy is required");
  }
}
