package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Browser;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The demo pages as a stock deploy shows them, in Chromium: without demo tokens the notifications
 * page explains how to sign in, and with the demos off every page says so; neither logs a console error.
 */
class DemoSwitchBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final List<String> PAGES = List.of("index.html", "stocks.html", "progress.html", "notifications.html",
            "chat.html", "metrics.html", "poem.html");

    @Test
    void withoutDemoTokensTheNotificationsPageExplainsHowToSignInAndReceivesBroadcasts() throws Exception {
        try (TestServer server = TestServer.startWithDemos(); Browser browser = Browser.start(1280, 900)) {
            WebDriver page = browser.driver();
            page.get(server.uri("/notifications.html").toString());
            browser.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("listening"),
                    "hands out no demo tokens"));
            String explanation = page.findElement(By.id("listening")).getText();
            assertTrue(explanation.contains("runnel_token cookie") && explanation.contains("POST tickets"), explanation);
            browser.waitUpTo(WAIT).until(d -> "open".equals(d.findElement(By.id("conn")).getDomAttribute("data-state")));
            assertEquals(200, server.postJson("/notifications", "{\"title\":\"Hello everyone\"}").getStatus());
            browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("received-count"), "1"));
            browser.screenshot("notifications-without-demo-tokens");
            assertEquals(List.of(), browser.consoleErrors(), "console errors");
        }
    }

    @Test
    void withTheDemosOffEveryPageSaysSoAndOpensNothing() throws Exception {
        try (TestServer server = TestServer.startWithDemos("runnel.demos.enabled", "false");
                Browser browser = Browser.start(1280, 900)) {
            WebDriver page = browser.driver();
            for (String path : PAGES) {
                page.get(server.uri("/" + path).toString());
                String notice = browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(
                        By.id("demos-off"))).getText();
                assertTrue(notice.contains("runnel.demos.enabled=false"), path + ": " + notice);
                assertEquals("off", page.findElement(By.id("conn")).getDomAttribute("data-state"), path);
                assertEquals(List.of(), browser.consoleErrors(), path + ": console errors");
            }
            browser.screenshot("demos-off");
            assertEquals(0, server.runnel().metrics().streamsOpened(), "no page opened a stream");
        }
    }
}
