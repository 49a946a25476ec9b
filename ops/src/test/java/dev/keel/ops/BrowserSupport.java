package dev.keel.ops;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium for a browser test class: Debian's {@code /usr/bin/chromium} driven by
 * {@code /usr/bin/chromedriver}, with a fresh profile, explicit waits, full-page screenshots under
 * {@code target/screenshots/} and the browser console's errors. Selenium Manager is never asked for
 * anything: the driver executable and the browser binary are both given.
 */
final class BrowserSupport implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Dimension LAPTOP = new Dimension(1366, 768);
  static final Dimension PHONE = new Dimension(390, 844);

  final ChromeDriver driver;
  final WebDriverWait wait;
  final Path screenshots;
  private final ChromeDriverService service;
  private final Path profile;

  private BrowserSupport(ChromeDriverService service, ChromeDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
    this.wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    String basedir = System.getProperty("basedir");
    this.screenshots =
        (basedir != null ? Path.of(basedir) : Path.of("")).resolve("target/screenshots");
  }

  /** Starts the browser at laptop size; fails (does not skip) when Chromium is not installed. */
  static BrowserSupport start() {
    for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(p)) {
        fail(
            p
                + " is missing: the browser tests need Debian's Chromium and its driver."
                + " Install them with: apt-get install chromium chromium-driver");
      }
    }
    Path profile;
    try {
      profile = Files.createTempDirectory("keel-ops-chrome-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--password-store=basic",
        "--lang=en-US",
        "--window-size=" + LAPTOP.getWidth() + "," + LAPTOP.getHeight(),
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withSilent(true)
            .build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      deleteQuietly(profile);
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return new BrowserSupport(service, driver, profile);
  }

  /** Elements are found by their {@code data-test} attribute. */
  static By test(String name) {
    return By.cssSelector("[data-test='" + name + "']");
  }

  WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  <T> T until(String what, Function<WebDriver, T> condition) {
    return wait.withMessage(what).until(condition);
  }

  /** Waits until the element's text (trimmed) equals {@code text}; returns the element. */
  WebElement textIs(By by, String text) {
    return until(
        by + " to read '" + text + "'",
        d -> {
          List<WebElement> found = d.findElements(by);
          return !found.isEmpty() && found.get(0).getText().trim().equals(text)
              ? found.get(0)
              : null;
        });
  }

  void resize(Dimension size) {
    driver.manage().window().setSize(size);
    until(
        "the viewport to be " + size.getWidth() + " px wide",
        d ->
            ((Number) driver.executeScript("return window.innerWidth")).intValue()
                == size.getWidth());
  }

  /** {@code [document scroll width, window inner width]}. */
  long[] widths() {
    @SuppressWarnings("unchecked")
    List<Number> w =
        (List<Number>)
            driver.executeScript(
                "return [document.documentElement.scrollWidth, window.innerWidth]");
    return new long[] {w.get(0).longValue(), w.get(1).longValue()};
  }

  /** Saves a PNG of the whole page (beyond the viewport) and returns its path. */
  Path screenshot(String name) {
    Path file = screenshots.resolve(name + ".png").toAbsolutePath();
    try {
      Files.createDirectories(screenshots);
      byte[] png;
      try {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
        double width = ((Number) size.get("width")).doubleValue();
        double height = Math.min(8000, ((Number) size.get("height")).doubleValue());
        Map<String, Object> shot =
            driver.executeCdpCommand(
                "Page.captureScreenshot",
                Map.of(
                    "format",
                    "png",
                    "captureBeyondViewport",
                    true,
                    "clip",
                    Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        png = Base64.getDecoder().decode((String) shot.get("data"));
      } catch (RuntimeException e) {
        png = driver.getScreenshotAs(OutputType.BYTES); // the viewport only
      }
      Files.write(file, png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * The browser console's errors since the last call, except failed requests (the page receives 401
   * and 404 answers on purpose): script errors, CSP violations and the like.
   */
  List<String> consoleErrors() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.WARNING.intValue()
          && !e.getMessage().contains("Failed to load resource")) {
        out.add(e.getLevel() + " " + e.getMessage());
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteQuietly(profile);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A temporary directory left behind is harmless.
    }
  }
}
