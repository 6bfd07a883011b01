package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.runnel.stream.CloseReason;
import dev.runnel.testing.Browser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The admin console in a real Chromium: without the admin credential a sign-in prompt and no data;
 * signed in, the streams a test opens appear and go when they close, an operator's close ends a
 * client's stream, a test event published from the page shows in the page's frame debugger, and with
 * a shared Redis the page of one node lists the other, and shows it gone once it stopped.
 */
class AdminConsoleBrowserTest {
    /** The console samples once a second; the machine may be loaded. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestServer server;
    private static Browser browser;
    private static WebDriver page;

    @BeforeAll
    static void start() throws Exception {
        if (Browser.unavailableReason() != null) {
            return;
        }
        browser = Browser.start(1280, 1400);
        page = browser.driver();
        // A client that leaves is noticed at the next write: a short heartbeat makes that soon.
        server = TestServer.startWithDemos("runnel.heartbeat", "250ms");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @BeforeEach
    void needsABrowser() {
        Browser.assumeAvailable();
    }

    @AfterEach
    void pageLoggedNoErrors(TestInfo test) {
        if (browser == null) {
            return;
        }
        browser.screenshot("admin-" + test.getTestMethod().orElseThrow().getName());
        // A refused credential is a 401 the browser reports as a failed resource: that is the point.
        List<String> errors = browser.consoleErrors().stream().filter(e -> !e.contains("status of 401")).toList();
        browser.script("sessionStorage.clear()");
        page.get("about:blank");
        assertEquals(List.of(), errors, "console errors");
    }

    @Test
    void withoutTheCredentialItShowsASignInPromptAndNoData() throws Exception {
        try (EventRecorder stream = server.subscribe("ops/unseen")) {
            stream.connected();
            page.get(server.uri("/admin.html").toString());
            assertTrue(page.findElement(By.id("signin")).isDisplayed());
            assertTrue(!page.findElement(By.id("console")).isDisplayed());
            browser.type("#secret", "not-the-admin-secret-at-all");
            page.findElement(By.id("signin-button")).click();
            browser.until(WAIT, () -> browser.text("#signin-error").contains("Not an admin credential"));
            assertTrue(!page.findElement(By.id("console")).isDisplayed());
            assertEquals(0, page.findElements(By.cssSelector("#streams tbody tr")).size(), "no data");
            assertEquals(0, page.findElements(By.cssSelector("#nodes tbody tr")).size(), "no nodes");
            assertEquals("—", page.findElement(By.id("t-streams")).getDomProperty("textContent"));
        }
    }

    @Test
    void itListsAStreamTheTestOpenedAndShowsItGoneAfterTheTestClosedIt() throws Exception {
        signIn();
        String id;
        try (EventRecorder stream = server.subscribe("ops/watched")) {
            id = connection(stream);
            browser.until(WAIT, () -> row(id) != null);
            String row = row(id);
            assertTrue(row.contains("ops/watched") && row.contains("sse"), row);
        }
        browser.until(WAIT, () -> row(id) == null);
    }

    @Test
    void anOperatorClosesAStreamFromTheConsole() throws Exception {
        signIn();
        long before = server.runnel().metrics().streamsClosed(CloseReason.OPERATOR);
        try (EventRecorder stream = server.subscribe("ops/closed-by-hand")) {
            String id = connection(stream);
            browser.until(WAIT, () -> row(id) != null);
            browser.script("document.querySelector('#streams tr[data-id=\"' + arguments[0] + '\"] button.close').click()", id);
            stream.awaitEnd(WAIT);
            assertEquals(before + 1, server.runnel().metrics().streamsClosed(CloseReason.OPERATOR));
            browser.until(WAIT, () -> row(id) == null);
        }
    }

    @Test
    void aTestEventPublishedFromTheConsoleShowsInItsFrameDebugger() {
        signIn();
        browser.type("#debug-topic", "ops/debugged");
        page.findElement(By.id("debug-watch")).click();
        browser.until(WAIT, () -> browser.text("#frames").contains("event: connected"));
        browser.type("#pub-topic", "ops/debugged");
        browser.type("#pub-data", "{\"n\":42}");
        page.findElement(By.id("publish")).click();
        browser.until(WAIT, () -> browser.text("#publish-result").startsWith("Published as "));
        String published = browser.text("#publish-result").substring("Published as ".length());
        browser.until(WAIT, () -> browser.text("#frames").contains("id: " + published));
        String frames = browser.text("#frames");
        assertTrue(frames.contains("event: test") && frames.contains("{\"n\":42}"), frames);
        page.findElement(By.id("debug-stop")).click();
    }

    @Test
    void thePageOfOneNodeListsTheOtherNodeOfItsRedisAndShowsItGoneOnceItStopped() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        try (TestServer a = TestServer.startWithDemos("runnel.redis.url", redis.url(), "runnel.redis.prefix", prefix)) {
            a.api().awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), WAIT);
            TestServer b = TestServer.startNode(redis, prefix);
            String idA = a.runnel().nodeId();
            String idB = b.runnel().nodeId();
            try {
                signIn(a);
                browser.until(WAIT, () -> "up".equals(nodeState(idB)));
                String self = nodeRow(idA);
                assertTrue(self.contains("this node") && self.contains("redis"), self);
                String other = nodeRow(idB);
                assertTrue(other.contains(b.runnel().version()) && !other.contains("this node"), other);
                browser.screenshot("admin-nodes-both-up");
            } finally {
                b.close();
            }
            browser.until(WAIT, () -> "gone".equals(nodeState(idB)));
            assertEquals("up", nodeState(idA));
            // Signed out before its node stops: a stream the server cuts is an error in the browser's console.
            page.findElement(By.id("signout")).click();
            browser.until(WAIT, () -> page.findElement(By.id("signin")).isDisplayed());
        }
    }

    private void signIn() {
        signIn(server);
    }

    private void signIn(TestServer node) {
        page.get(node.uri("/admin.html").toString());
        browser.type("#secret", TestServer.ADMIN_SECRET);
        page.findElement(By.id("signin-button")).click();
        browser.until(WAIT, () -> page.findElement(By.id("console")).isDisplayed());
        // The first sample says the feed is on.
        browser.until(WAIT, () -> !"—".equals(page.findElement(By.id("t-streams")).getText()));
    }

    /**
     * The text of the console's row for stream {@code id}, or null; read in one script, since every
     * sample replaces the rows.
     */
    private static String row(String id) {
        return (String) browser.script("var r = document.querySelector('#streams tbody tr[data-id=\"' + arguments[0]"
                + " + '\"]'); return r ? r.textContent : null;", id);
    }

    /** The text of the console's row for node {@code id}, or null. */
    private static String nodeRow(String id) {
        return (String) browser.script("var r = document.querySelector('#nodes tbody tr[data-node=\"' + arguments[0]"
                + " + '\"]'); return r ? r.textContent : null;", id);
    }

    /** {@code up} or {@code gone} as the console's row for node {@code id} says, or null without a row. */
    private static String nodeState(String id) {
        return (String) browser.script("var r = document.querySelector('#nodes tbody tr[data-node=\"' + arguments[0]"
                + " + '\"]'); return r ? r.dataset.state : null;", id);
    }

    private static String connection(EventRecorder stream) {
        return JsonParser.parseString(stream.connected().data()).getAsJsonObject().get("connection").getAsString();
    }
}
