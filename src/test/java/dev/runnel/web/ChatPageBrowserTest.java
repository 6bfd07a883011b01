package dev.runnel.web;

import static dev.runnel.testing.FakeUpstream.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.Browser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.FakeUpstream;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The chat page in a real Chromium: the answer's id in the URL, so a reload mid-answer and a second
 * tab show the same answer live; with an upstream (the fake, signed in through a cookie carrying a
 * token with the {@code chat} claim) Markdown is rendered without letting any HTML through, a failure
 * is shown plainly, and the usage is shown when known.
 */
class ChatPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestServer offline;
    private static TestServer gateway;
    private static FakeUpstream fake;
    private static Browser browser;
    private static WebDriver page;

    @BeforeAll
    static void start() throws Exception {
        if (Browser.unavailableReason() != null) {
            return;
        }
        browser = Browser.start(1280, 900);
        page = browser.driver();
        // Slow enough that a second tab opened after the first tokens still finds the answer being written.
        offline = TestServer.startWithDemos("runnel.chat.tokensPerSecond", "8");
        fake = FakeUpstream.start();
        gateway = TestServer.startWithDemos("runnel.chat.upstream.url", fake.url().toString(),
                "runnel.chat.upstream.model", "fake-model", "runnel.jwt.secret", Tokens.SECRET,
                "runnel.chat.upstream.retries", "0");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {offline, gateway, fake}) {
                if (c != null) {
                    c.close();
                }
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
        browser.screenshot("chat-" + test.getTestMethod().orElseThrow().getName());
        List<String> errors = browser.consoleErrors();
        for (String handle : page.getWindowHandles().stream().skip(1).toList()) {
            page.switchTo().window(handle).close();
        }
        page.switchTo().window(page.getWindowHandles().iterator().next());
        page.manage().deleteAllCookies();
        page.get("about:blank");
        assertEquals(List.of(), errors, "console errors");
    }

    @Test
    void aReloadMidAnswerShowsTheSameAnswerLiveFromItsFirstToken() {
        page.get(offline.uri("/chat.html").toString());
        ask("Tell me about the heron");
        until(() -> tokens() >= 5);
        String id = attribute(".msg.reply", "data-answer");
        assertTrue(page.getCurrentUrl().endsWith("?answer=" + id), page.getCurrentUrl());
        page.navigate().refresh();
        WebElement answer = wait(By.cssSelector(".msg.reply[data-state=done]"));
        assertEquals(id, answer.getDomAttribute("data-answer"));
        assertNull(answer.getDomAttribute("data-gap"));
        assertEquals("Tell me about the heron", page.findElement(By.cssSelector(".msg.user")).getText());
        assertEquals(serverText(offline, id), raw());
        page.navigate().refresh(); // a finished answer is shown whole
        wait(By.cssSelector(".msg.reply[data-state=done]"));
        assertEquals(serverText(offline, id), raw());
    }

    @Test
    void aSecondTabShowsTheSameAnswerLive() {
        page.get(offline.uri("/chat.html").toString());
        ask("What happens when the line breaks?");
        until(() -> tokens() >= 3);
        String url = page.getCurrentUrl();
        String first = page.getWindowHandle();
        page.switchTo().newWindow(WindowType.TAB);
        page.get(url);
        until(() -> "streaming".equals(attribute(".msg.reply", "data-state")));
        wait(By.cssSelector(".msg.reply[data-state=done]"));
        String second = raw();
        page.switchTo().window(first);
        wait(By.cssSelector(".msg.reply[data-state=done]"));
        assertEquals(raw(), second);
        assertEquals(serverText(offline, attribute(".msg.reply", "data-answer")), second);
    }

    @Test
    void markdownIsRenderedAndNoHtmlFromTheModelReachesThePage() {
        fake.then(script().content("**Bold** and `code`", "\n\n- one\n- two\n\n",
                "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>", " [x](javascript:alert(1))")
                .usage(3, 4).done());
        signIn();
        ask("Format something");
        WebElement answer = wait(By.cssSelector(".msg.reply[data-state=done]"));
        assertEquals("Bold", answer.findElement(By.cssSelector(".answer-text strong")).getText());
        assertEquals("code", answer.findElement(By.cssSelector(".answer-text code")).getText());
        assertEquals(2, answer.findElements(By.cssSelector(".answer-text li")).size());
        assertEquals(0, answer.findElements(By.cssSelector(".answer-text img, .answer-text script, .answer-text a"))
                .size(), "no element from the model's HTML, no javascript: link");
        assertTrue(answer.findElement(By.cssSelector(".answer-text")).getText().contains("<img src=x"),
                "the HTML is shown as the text it is");
        assertNull(browser.script("return window.pwned === undefined ? null : window.pwned"));
        assertEquals("3 + 4 = 7 tokens", answer.findElement(By.cssSelector(".usage")).getText());
    }

    @Test
    void aFailedAnswerShowsItsReasonPlainly() {
        fake.then(script().status(429, "Rate limit reached").header("retry-after", "9"));
        signIn();
        ask("Too many");
        WebElement answer = wait(By.cssSelector(".msg.reply[data-state=failed]"));
        assertEquals("rate-limited", answer.getDomAttribute("data-failure"));
        String failure = answer.findElement(By.cssSelector(".failure")).getText().toLowerCase(java.util.Locale.ROOT);
        assertTrue(failure.contains("rate-limited") && failure.contains("429") && failure.contains("9 s"), failure);
        assertTrue(page.findElement(By.id("stop")).getDomProperty("hidden").equals("true"), "no stop button left");
    }

    /** Opens the upstream server's chat page as a signed-in user (a cookie with a chat token). */
    private void signIn() {
        page.get(gateway.uri("/chat.html").toString());
        page.manage().addCookie(new Cookie("runnel_token", Tokens.hs256(Tokens.claims("alice", 600)
                .claim("chat", true).build()), TestServer.DEMO_CONTEXT));
        page.get(gateway.uri("/chat.html").toString());
        until(() -> "fake-model".equals(page.findElement(By.id("model-name")).getText()));
    }

    private void ask(String prompt) {
        WebElement input = page.findElement(By.id("prompt"));
        input.sendKeys(prompt);
        page.findElement(By.id("send")).click();
    }

    private int tokens() {
        String t = attribute(".msg.reply", "data-tokens");
        return t == null ? 0 : Integer.parseInt(t);
    }

    private String raw() {
        return (String) browser.script("return document.querySelector('.msg.reply').answerRaw");
    }

    private String attribute(String css, String name) {
        return page.findElement(By.cssSelector(css)).getDomAttribute(name);
    }

    private WebElement wait(By by) {
        return browser.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
    }

    private void until(java.util.function.BooleanSupplier condition) {
        browser.waitUpTo(WAIT).ignoring(NumberFormatException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> condition.getAsBoolean());
    }

    /** The whole answer as the server published it. */
    static String serverText(TestServer server, String answerId) {
        StringBuilder text = new StringBuilder();
        try (EventRecorder stream = server.subscribe("chat/" + answerId)) {
            stream.connected();
            for (SseEvent e = stream.next(); !e.event().equals("done"); e = stream.next()) {
                text.append(JsonParser.parseString(e.data()).getAsJsonObject().get("text").getAsString());
            }
        }
        return text.toString();
    }
}
