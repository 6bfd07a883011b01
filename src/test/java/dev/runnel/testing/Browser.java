package dev.runnel.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium for browser tests: Debian's {@code /usr/bin/chromium} driven through its
 * {@code /usr/bin/chromedriver}, both named explicitly so that nothing is ever downloaded. Without
 * them {@link #assumeAvailable} skips the calling test with a message saying what to install — or
 * fails it, when the environment variable {@code RUNNEL_REQUIRE_ALL} is {@code true} (as in
 * {@code .ci/run}).
 *
 * <p>The browser's console is recorded: {@link #consoleErrors} returns what the page logged at error
 * level (uncaught exceptions, failed loads, {@code console.error}). With the system property
 * {@code runnel.screenshots} set to a folder, {@link #screenshot} saves PNGs there.
 */
public final class Browser implements AutoCloseable {
    /** The browser; the system property {@code runnel.chromium} names another. */
    public static final Path CHROMIUM = Path.of(System.getProperty("runnel.chromium", "/usr/bin/chromium"));
    /** Its driver; the system property {@code runnel.chromedriver} names another. */
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("runnel.chromedriver", "/usr/bin/chromedriver"));

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(int width, int height) throws IOException {
        profile = Files.createTempDirectory("runnel-chromium-");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
    }

    /** Why browser tests cannot run on this machine, or null when they can. */
    public static String unavailableReason() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return null;
        }
        return "browser tests need Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver)";
    }

    /**
     * Skips the calling test when Chromium or its driver is missing — or fails it, when the
     * environment variable {@code RUNNEL_REQUIRE_ALL} is {@code true}.
     */
    public static void assumeAvailable() {
        Prerequisites.require(unavailableReason());
    }

    /** Starts a browser; see {@link #assumeAvailable} for a machine without one. */
    public static Browser start(int width, int height) throws IOException {
        assumeAvailable();
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        return new Browser(width, height);
    }

    public WebDriver driver() {
        return driver;
    }

    /** A wait that polls every 20 ms. */
    public WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout);
        wait.pollingEvery(Duration.ofMillis(20));
        return wait;
    }

    /** Waits up to {@code timeout} for {@code condition}, which may throw while the page is not there yet. */
    public void until(Duration timeout, java.util.function.BooleanSupplier condition) {
        waitUpTo(timeout).ignoring(NumberFormatException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> condition.getAsBoolean());
    }

    /** The visible text of the element {@code css} selects. */
    public String text(String css) {
        return driver.findElement(org.openqa.selenium.By.cssSelector(css)).getText();
    }

    /** An attribute of the element {@code css} selects, as the page's DOM has it, or null. */
    public String attribute(String css, String name) {
        return driver.findElement(org.openqa.selenium.By.cssSelector(css)).getDomAttribute(name);
    }

    /** Replaces the value of the input {@code css} selects. */
    public void type(String css, String value) {
        org.openqa.selenium.WebElement input = driver.findElement(org.openqa.selenium.By.cssSelector(css));
        input.clear();
        input.sendKeys(value);
    }

    /** Error-level console entries since the last call (each entry is returned once). */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /** Saves a screenshot as {@code <runnel.screenshots>/<name>.png} when that property names a folder. */
    public void screenshot(String name) {
        String folder = System.getProperty("runnel.screenshots");
        if (folder == null || folder.isBlank()) {
            return;
        }
        try {
            Path dir = Files.createDirectories(Path.of(folder));
            File png = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), dir.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a script in the page and returns its result. */
    public Object script(String js, Object... args) {
        return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(js, args);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
