package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.feed.NotificationFeed;
import dev.runnel.feed.NotificationFeed.Notification;
import dev.runnel.stream.EventStream;
import dev.runnel.testing.Browser;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * Demo pages whose stream ends in a way the browser cannot resume by itself, in a real headless
 * Chromium: the server restarts under a running task or chat answer (a new epoch that never saw
 * them), or the server cuts a ticketed stream before its first event.
 */
class ResumingPagesBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** What a page logs when its server stops under it, or it is told 401 or 404: expected here. */
    private static final List<String> EXPECTED_ERRORS = List.of("ERR_CONNECTION_REFUSED",
            "ERR_INCOMPLETE_CHUNKED_ENCODING", "status of 401",
            "status of 404", "EventSource's response has a status 401");

    private static Browser browser;
    private static WebDriver page;
    private TestServer server;

    @BeforeAll
    static void start() throws Exception {
        if (Browser.unavailableReason() == null) {
            browser = Browser.start(1280, 900);
            page = browser.driver();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void needsABrowser() {
        Browser.assumeAvailable();
    }

    @AfterEach
    void closePageAndServer() throws Exception {
        try {
            if (browser != null) {
                List<String> errors = browser.consoleErrors().stream()
                        .filter(e -> EXPECTED_ERRORS.stream().noneMatch(e::contains)).toList();
                page.get("about:blank");
                assertEquals(List.of(), errors, "console errors");
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void progressShowsATaskOfTheServerBeforeARestartAsEndedNotRunning() throws Exception {
        server = TestServer.startWithDemos();
        page.get(server.uri("/progress.html").toString());
        browser.type("#steps", "200");
        browser.type("#step-millis", "500");
        page.findElement(By.id("start-task")).click();
        browser.until(WAIT, () -> !browser.text("[data-role=last-id]").equals("—")); // it holds a cursor

        restart();

        WebElement task = browser.waitUpTo(WAIT).until(d -> d.findElement(By.cssSelector(".task[data-state=lost]")));
        assertEquals("server restarted", task.findElement(By.cssSelector(".badge")).getDomProperty("textContent"));
        assertEquals("0 running", page.findElement(By.id("running-count")).getDomProperty("textContent"));
        assertEquals("closed", browser.attribute("#conn", "data-state"), "the server said 204: no reconnecting");
        assertEquals(0, server.runnel().metrics().streamsOpened(), "the reconnect got 204 and opened no stream");
    }

    @Test
    void chatShowsAnAnswerOfTheServerBeforeARestartAsInterrupted() throws Exception {
        server = TestServer.startWithDemos("runnel.chat.tokensPerSecond", "5");
        page.get(server.uri("/chat.html").toString());
        browser.type("#prompt", "Tell me about the heron");
        page.findElement(By.id("send")).click();
        browser.until(WAIT, () -> Integer.parseInt(browser.attribute(".msg.reply", "data-tokens")) >= 1);

        restart();

        browser.until(WAIT, () -> "lost".equals(browser.attribute(".msg.reply", "data-state")));
        browser.until(WAIT, () -> page.findElement(By.id("send")).isDisplayed());
        assertEquals("closed", browser.attribute("#conn", "data-state"));
    }

    @Test
    void notificationsStreamCutBeforeItsFirstEventReopensWhereItJoinedAndLosesNothing() throws Exception {
        server = TestServer.startWithDemos("runnel.demo.tokens", "true");
        page.get(server.uri("/notifications.html").toString());
        browser.until(WAIT, () -> "open".equals(browser.attribute("#conn", "data-state"))
                && browser.attribute("#conn", "data-connection") != null);
        String connection = browser.attribute("#conn", "data-connection");
        NotificationFeed notifications = new NotificationFeed(server.runnel().hub());

        EventStream stream = server.runnel().streams().snapshot().stream()
                .filter(s -> s.id().equals(connection)).findFirst().orElseThrow();
        stream.close("test: the server cuts the stream before its first event");
        // Published while the page has no stream: its ticket is spent, it needs a new one first.
        notifications.send(new Notification("one", "", "info", null));
        notifications.send(new Notification("two", "", "info", "alice"));
        notifications.send(new Notification("three", "", "info", null));

        browser.until(WAIT, () -> browser.text("#received-count").equals("3"));
        notifications.send(new Notification("four", "", "info", "alice"));
        browser.until(WAIT, () -> browser.text("#received-count").equals("4"));
        List<String> titles = page.findElements(By.cssSelector("#received .note .title")).stream()
                .map(WebElement::getText).toList();
        assertEquals(List.of("four", "three", "two", "one"), titles, "each once, in order, newest first");
    }

    /** Stops the server and starts a fresh one (a new epoch) on the same port, as a restart does. */
    private void restart() throws Exception {
        int port = server.port();
        server.close();
        server = null;
        server = TestServer.startWithDemosOn(port);
    }
}
