package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Browser;
import dev.runnel.testing.TcpProxy;
import dev.runnel.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/**
 * The browser client ({@code webapp/js/runnel-client.js}) in a real headless Chromium, through the
 * transports page: tabs of one origin share one server stream and hand it on when the leader tab
 * closes (with Web Locks, and with the election over BroadcastChannel); behind a proxy that buffers
 * event streams it moves to long-poll, or to WebSocket when asked, and so it does when every stream is
 * cut before its first frame; each transport forced in
 * turn resumes where the last one stopped. Every test checks that each event arrived once, in order.
 */
class BrowserClientBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A closed tab's stream is found out at the next heartbeat. */
    private static final String HEARTBEAT = "500ms";

    private static Browser browser;
    private static WebDriver driver;
    private TestServer server;
    private TcpProxy proxy;
    /** Console errors a test expects (what a cut stream logs), left out of the check. */
    private List<String> expectedErrors = List.of();

    @BeforeAll
    static void start() throws Exception {
        if (Browser.unavailableReason() == null) {
            browser = Browser.start(1024, 768);
            driver = browser.driver();
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
    void closeTabsAndServer() throws Exception {
        try {
            if (browser != null) {
                List<String> errors = browser.consoleErrors().stream()
                        .filter(e -> expectedErrors.stream().noneMatch(e::contains)).toList();
                List<String> handles = new ArrayList<>(driver.getWindowHandles());
                for (String handle : handles.subList(1, handles.size())) {
                    driver.switchTo().window(handle).close();
                }
                driver.switchTo().window(handles.get(0)).get("about:blank");
                assertEquals(List.of(), errors, "console errors");
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void eightTabsOfOnePageHoldOneServerStream() throws Exception {
        server = TestServer.startWithDemos("runnel.heartbeat", HEARTBEAT);
        List<String> tabs = openTabs(server.uri("/transports.html?topic=shared&events=note"), 8);
        until(() -> connections() == 1);

        List<String> sent = publish("shared", "one", 5);
        for (String tab : tabs) {
            assertReceivedInTab(tab, sent);
        }
        assertEquals(1, leaders(tabs).size(), "one tab leads");
        assertEquals(1, connections(), "the eight tabs hold one stream");
    }

    @Test
    void closingTheLeaderTabMovesTheStreamToAnotherTabWithNothingLost() throws Exception {
        server = TestServer.startWithDemos("runnel.heartbeat", HEARTBEAT);
        List<String> tabs = openTabs(server.uri("/transports.html?topic=handover&events=note"), 4);
        List<String> sent = new ArrayList<>(publish("handover", "before", 3));
        for (String tab : tabs) {
            assertReceivedInTab(tab, sent);
        }
        String leader = leaders(tabs).get(0);
        String firstConnection = inTab(leader, () -> browser.text("#connection"));

        driver.switchTo().window(leader).close();
        tabs.remove(leader);
        sent.addAll(publish("handover", "during", 3)); // while no tab may hold the stream
        for (String tab : tabs) {
            assertReceivedInTab(tab, sent);
        }
        sent.addAll(publish("handover", "after", 3));
        for (String tab : tabs) {
            assertReceivedInTab(tab, sent);
        }
        assertEquals(1, leaders(tabs).size(), "another tab took over");
        String newLeader = leaders(tabs).get(0);
        assertTrue(!inTab(newLeader, () -> browser.text("#connection")).equals(firstConnection), "a new stream");
        until(() -> connections() == 1);
        driver.switchTo().window(tabs.get(0));
    }

    @Test
    void withoutWebLocksTheTabsElectOverBroadcastChannelShareOneStreamAndHandItOn() throws Exception {
        server = TestServer.startWithDemos("runnel.heartbeat", HEARTBEAT);
        List<String> tabs = openTabs(server.uri("/transports.html?topic=channel&events=note&election=channel"), 3);
        until(() -> connections() == 1);
        List<String> sent = new ArrayList<>(publish("channel", "before", 2));
        for (String tab : tabs) {
            assertReceivedInTab(tab, sent);
        }
        until(() -> leaders(tabs).size() == 1); // a split, should a claim cross a heartbeat, lasts a second

        String leader = leaders(tabs).get(0);
        driver.switchTo().window(leader).close();
        tabs.remove(leader);
        sent.addAll(publish("channel", "after", 2));
        for (String tab : tabs) {
            assertReceivedInTab(tab, sent);
        }
        until(() -> leaders(tabs).size() == 1);
        until(() -> connections() == 1);
    }

    @Test
    void behindAProxyThatBuffersTheStreamTheClientFallsBackToLongPollAndEveryEventArrives() throws Exception {
        startBehindProxy().bufferEventStreams(true);
        assertEveryEventArrivesOver("poll", "buffered", "&firstFrameMs=1500");
        assertTrue(proxy.heldStreams() >= 1, "the proxy held an event stream back");
    }

    @Test
    void behindAProxyThatBuffersTheStreamAClientThatAsksForWebSocketFallsBackToIt() throws Exception {
        startBehindProxy().bufferEventStreams(true);
        assertEveryEventArrivesOver("ws", "buffered-ws", "&firstFrameMs=1500&fallback=ws,poll");
    }

    @Test
    void aStreamThatKeepsFailingBeforeItsFirstFrameMovesTheClientToLongPoll() throws Exception {
        startBehindProxy().cutEventStreams(true);
        expectedErrors = List.of("ERR_EMPTY_RESPONSE", "ERR_CONNECTION");
        assertEveryEventArrivesOver("poll", "failing", "");
    }

    @Test
    void eachTransportForcedInTurnResumesWithNothingLostOrRepeated() throws Exception {
        server = TestServer.startWithDemos();
        driver.get(server.uri("/transports.html?topic=forced&events=note").toString());
        browser.until(WAIT, () -> browser.text("#transport").equals("sse") && browser.text("#state").equals("open"));
        List<String> sent = new ArrayList<>(publish("forced", "sse", 2));
        assertReceived(sent);
        for (String transport : List.of("ws", "poll", "sse", "auto")) {
            driver.findElement(By.cssSelector("[data-transport=" + transport + "]")).click();
            sent.addAll(publish("forced", "switching-to-" + transport, 2)); // while the switch is under way
            String expected = transport.equals("auto") ? "sse" : transport;
            browser.until(WAIT, () -> browser.text("#transport").equals(expected) && browser.text("#state").equals("open"));
            sent.addAll(publish("forced", "over-" + transport, 2));
            assertReceived(sent);
        }
    }

    private TcpProxy startBehindProxy() throws Exception {
        server = TestServer.startWithDemos();
        proxy = new TcpProxy(server.port());
        return proxy;
    }

    /** Opens the transports page through the proxy; events published before and after it settles on {@code transport} all arrive. */
    private void assertEveryEventArrivesOver(String transport, String topic, String query) throws Exception {
        driver.get("http://127.0.0.1:" + proxy.port() + TestServer.DEMO_CONTEXT + "/transports.html?topic=" + topic
                + "&events=note" + query);
        List<String> sent = new ArrayList<>(publish(topic, "early", 3)); // before, or while, it falls back
        browser.until(WAIT, () -> browser.text("#transport").equals(transport) && browser.text("#state").equals("open"));
        sent.addAll(publish(topic, "late", 3));
        assertReceived(sent);
    }

    private List<String> openTabs(URI page, int count) {
        List<String> tabs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                driver.switchTo().newWindow(WindowType.TAB);
            }
            driver.get(page.toString());
            browser.until(WAIT, () -> browser.text("#state").equals("open"));
            tabs.add(driver.getWindowHandle());
        }
        return tabs;
    }

    private List<String> leaders(List<String> tabs) {
        List<String> leaders = new ArrayList<>();
        for (String tab : tabs) {
            if (inTab(tab, () -> browser.text("#role")).equals("leader")) {
                leaders.add(tab);
            }
        }
        return leaders;
    }

    private <T> T inTab(String tab, java.util.function.Supplier<T> read) {
        driver.switchTo().window(tab);
        return read.get();
    }

    private List<String> publish(String topic, String prefix, int count) throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String data = prefix + "-" + i;
            server.publish(topic, "note", data);
            sent.add(data);
        }
        return sent;
    }

    private void assertReceivedInTab(String tab, List<String> expected) {
        driver.switchTo().window(tab);
        assertReceived(expected);
    }

    /** Waits until the page shows as many events as were sent, then checks they are those, in order. */
    private void assertReceived(List<String> expected) {
        browser.until(WAIT, () -> received().size() >= expected.size());
        assertEquals(expected, received(), "each event once, in order");
    }

    private List<String> received() {
        return driver.findElements(By.cssSelector("#events li[data-id]")).stream().map(WebElement::getText).toList();
    }

    private int connections() {
        try {
            return server.stats().get("connections").getAsInt();
        } catch (Exception e) {
            throw new IllegalStateException("GET /stats failed", e);
        }
    }

    private void until(java.util.function.BooleanSupplier condition) {
        browser.until(WAIT, condition);
    }
}
