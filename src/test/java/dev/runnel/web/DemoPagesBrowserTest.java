package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.feed.PoemFeed;
import dev.runnel.protocol.SseEvent;
import dev.runnel.stream.EventStream;
import dev.runnel.testing.Browser;
import dev.runnel.testing.EventRecorder;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every demo page in a real headless Chromium, against the real server serving {@code webapp/} under
 * a context path: each page loads without console errors, receives its events and shows them.
 */
class DemoPagesBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static TestServer server;
    private static Browser browser;
    private static WebDriver page;

    @BeforeAll
    static void start() throws Exception {
        if (Browser.unavailableReason() != null) {
            return; // each test reports the skip (or the failure) itself
        }
        browser = Browser.start(1280, 900);
        page = browser.driver();
        server = TestServer.startWithDemos(
                "runnel.stocks.enabled", "true", "runnel.stocks.interval", "50ms",
                "runnel.metrics.enabled", "true", "runnel.metrics.interval", "100ms",
                "runnel.chat.tokensPerSecond", "60",
                "runnel.poem.interval", "15ms",
                "runnel.demo.tokens", "true");
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
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        List<String> errors = browser.consoleErrors();
        page.get("about:blank"); // closes the page's streams before the next test
        assertEquals(List.of(), errors, "console errors");
    }

    @Test
    void indexShowsALiveCountOfOpenStreams() {
        open("index.html");
        until(() -> text("#open-streams").matches("\\d+") && Integer.parseInt(text("#open-streams")) >= 1);
        assertEquals("open", connectionState());
        assertEquals(6, page.findElements(By.cssSelector("a.demo-card")).size(), "a card for every demo");
        assertTrue(text("#curl-examples").contains(server.uri("/events?topic=news").toString()),
                "examples name this deployment's URL");
    }

    @Test
    void stocksShowEverySymbolAndPricesChange() {
        open("stocks.html");
        until(() -> page.findElements(By.cssSelector("#quotes tr[data-symbol]")).size() == 8);
        String first = text("#quotes tr[data-symbol] .price");
        until(() -> !text("#quotes tr[data-symbol] .price").equals(first));
        until(() -> Integer.parseInt(text("#tick-count").split(" ")[0]) >= 8 * 3);
        assertEquals("open", connectionState());
        assertNotEquals("—", text("[data-role=last-id]"));
        assertEquals("ACME", text("#chart-symbol"), "the first symbol is charted");
        page.findElement(By.cssSelector("#quotes tr[data-symbol=WAYNE]")).click();
        assertEquals("WAYNE", text("#chart-symbol"));
    }

    @Test
    void progressRunsATaskToHundredPercentAndCancelsAnother() {
        open("progress.html");
        type("#steps", "5");
        type("#step-millis", "30");
        page.findElement(By.id("start-task")).click();
        WebElement done = wait(By.cssSelector(".task[data-state=complete]"));
        assertEquals("100%", done.findElement(By.cssSelector(".percent")).getText());
        assertEquals("100", done.findElement(By.cssSelector(".bar")).getDomAttribute("aria-valuenow"));

        type("#steps", "100");
        type("#step-millis", "1000");
        page.findElement(By.id("start-task")).click();
        WebElement running = wait(By.cssSelector(".task[data-state=running]"));
        running.findElement(By.cssSelector("button")).click();
        WebElement cancelled = wait(By.cssSelector(".task[data-state=cancelled]"));
        assertTrue(cancelled.getText().contains("Cancelled at step"), cancelled.getText());
        until(() -> connectionState().equals("closed")); // every followed task ended: the server said 204
    }

    @Test
    void notificationsShowBroadcastsAndOnlyTheChosenUsersOwn() throws Exception {
        open("notifications.html");
        until(() -> connectionState().equals("open"));
        type("#title", "Hello everyone");
        page.findElement(By.id("send")).click();
        until(() -> text("#received-count").equals("1"));
        assertEquals("Hello everyone", text("#received .note .title"));
        wait(By.cssSelector("#toasts .note"));

        assertEquals(200, server.postJson("/notifications", "{\"title\":\"For bob\",\"user\":\"bob\"}").getStatus());
        assertEquals(200, server.postJson("/notifications",
                "{\"title\":\"<b>For alice</b>\",\"level\":\"warning\",\"user\":\"alice\"}").getStatus());
        until(() -> text("#received-count").equals("2"));
        assertEquals("<b>For alice</b>", text("#received .note .title"), "pushed data is shown as text, never as HTML");
        assertFalse(page.getPageSource().contains("For bob"), "another user's notification never arrives");
    }

    @Test
    void chatTypesAnAnswerToItsEnd() {
        open("chat.html");
        type("#prompt", "Tell me about the heron");
        page.findElement(By.id("send")).click();
        WebElement answer = wait(By.cssSelector(".msg.reply[data-state=done]"));
        assertNull(answer.getDomAttribute("data-gap"));
        String id = answer.getDomAttribute("data-answer");
        assertEquals(serverText(id), answerText());
        assertEquals("closed", connectionState());
    }

    @Test
    void chatResumesAfterTheServerCutsTheStreamWithNoTokenRepeatedOrMissing() {
        open("chat.html");
        type("#prompt", "How does a stream keep its order?");
        page.findElement(By.id("send")).click();
        until(() -> {
            String tokens = attribute(".msg.reply", "data-tokens");
            return tokens != null && Integer.parseInt(tokens) >= 10;
        });
        String connection = attribute("#conn", "data-connection");
        int cut = 0;
        for (EventStream stream : server.runnel().streams().snapshot()) {
            if (stream.id().equals(connection)) {
                stream.close("test: the server cuts the chat stream mid-answer");
                cut++;
            }
        }
        assertEquals(1, cut, "the page's stream was open");
        WebElement answer = wait(By.cssSelector(".msg.reply[data-state=done]"));
        assertTrue(answer.findElement(By.cssSelector(".resume-note")).getText().contains("resumed at token"));
        assertNull(answer.getDomAttribute("data-gap"), "the resumed stream went on at the next token");
        assertEquals(serverText(answer.getDomAttribute("data-answer")), answerText());
    }

    @Test
    void metricsChartLiveSamples() {
        open("metrics.html");
        until(() -> Integer.parseInt(text("#sample-count").split(" ")[0]) >= 3);
        assertTrue(text("#m-threads").matches("[\\d,]+"), text("#m-threads"));
        assertTrue(text("#m-heap").endsWith("iB"), text("#m-heap"));
        assertEquals("open", connectionState());
    }

    @Test
    void poemIsTypedOnceAndTheStreamEndsForGood() {
        long opened = server.runnel().metrics().streamsOpened();
        open("poem.html");
        wait(By.cssSelector("#poem-card[data-done=true]"));
        assertEquals(PoemFeed.TITLE, text("#poem-title"));
        assertEquals(PoemFeed.POEM, (String) browser.script("return document.getElementById('poem-text').textContent"));
        assertEquals("closed", connectionState());
        assertEquals(1, server.runnel().metrics().streamsOpened() - opened,
                "one stream typed the poem; the reconnect got 204 and opened none");
    }

    private void open(String path) {
        page.get(server.uri("/" + path).toString());
    }

    private WebElement wait(By by) {
        return browser.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
    }

    private void until(java.util.function.BooleanSupplier condition) {
        browser.waitUpTo(WAIT).ignoring(NumberFormatException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> condition.getAsBoolean());
    }

    private String text(String css) {
        return page.findElement(By.cssSelector(css)).getText();
    }

    private String attribute(String css, String name) {
        return page.findElement(By.cssSelector(css)).getDomAttribute(name);
    }

    private void type(String css, String value) {
        WebElement input = page.findElement(By.cssSelector(css));
        input.clear();
        input.sendKeys(value);
    }

    private String connectionState() {
        return attribute("#conn", "data-state");
    }

    /** The answer's text as the page received it, before Markdown (white space exactly, unlike getText()). */
    private String answerText() {
        return (String) browser.script("return document.querySelector('.msg.reply').answerRaw");
    }

    /** The whole answer as the server published it: the ended topic's history, read from the start. */
    private static String serverText(String answerId) {
        StringBuilder text = new StringBuilder();
        try (EventRecorder stream = server.subscribe("chat/" + answerId)) {
            stream.connected();
            for (SseEvent e = stream.next(); !e.event().equals("done"); e = stream.next()) {
                JsonObject token = JsonParser.parseString(e.data()).getAsJsonObject();
                text.append(token.get("text").getAsString());
            }
        }
        return text.toString();
    }
}
