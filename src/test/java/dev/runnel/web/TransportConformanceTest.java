package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Publication;
import dev.runnel.testing.Feed;
import dev.runnel.testing.Feed.Item;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Transports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every transport promises alike, run over SSE, WebSocket and long-poll from one suite: one
 * order across topics, replay after a cursor, {@code reset}, the snapshot, finite topics that end,
 * no duplicate and no gap across a reconnect with the cursor the transport gave, and data that cannot
 * inject anything. A client may move between transports with one cursor.
 */
class TransportConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("runnel.topics.state", "prices", "runnel.topics.finite", "runs/");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String topic(String kind) {
        return kind + TOPICS.incrementAndGet();
    }

    private static String publish(String topic, String event, String data) {
        return server.publishDirect(topic, event, data);
    }

    private static List<String> data(List<Item> items) {
        return items.stream().map(Item::data).toList();
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void eventsOfSeveralTopicsArriveInOneOrderWithIncreasingIds(Transports transport) {
        String a = topic("a");
        String b = topic("b");
        try (Feed feed = transport.open(server, List.of(a, b), null).awaitJoined()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(publish(i % 2 == 0 ? a : b, "n", "m" + i));
            }
            List<Item> items = feed.next(10);
            assertEquals(ids, items.stream().map(Item::id).toList());
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"), data(items));
            if (transport != Transports.SSE) {
                assertEquals(a, items.get(0).topic());
                assertEquals(b, items.get(1).topic());
            }
            assertEquals(ids.get(9), feed.cursor());
            feed.assertNoMoreItems(QUIET);
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void aCursorReplaysWhatFollowedItThenGoesLive(Transports transport) {
        String t = topic("replay");
        String first = publish(t, "n", "1");
        publish(t, "n", "2");
        publish(t, "n", "3");
        try (Feed feed = transport.open(server, List.of(t), first)) {
            assertEquals(List.of("2", "3"), data(feed.next(2)));
            feed.awaitJoined();
            publish(t, "n", "4");
            assertEquals("4", feed.next().data());
            feed.assertNoMoreItems(QUIET);
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void aCursorFromAnotherEpochGetsResetThenTheSnapshotThenLive(Transports transport) {
        String prices = "prices";
        server.runnel().hub().publish(new Publication(prices, "quote", "A 1", "A", false));
        server.runnel().hub().publish(new Publication(prices, "quote", "B 1", "B", false));
        server.runnel().hub().publish(new Publication(prices, "quote", "A 2", "A", false));
        try (Feed feed = transport.open(server, List.of(prices), "zzzz-5")) {
            Item reset = feed.next();
            assertEquals("reset", reset.type());
            assertEquals("unknown-epoch", reset.event());
            assertEquals(List.of("B 1", "A 2"), data(feed.next(2)), "the snapshot: the latest value per key");
            feed.awaitJoined();
            server.runnel().hub().publish(new Publication(prices, "quote", "B 2", "B", false));
            assertEquals("B 2", feed.next().data());
            feed.assertNoMoreItems(QUIET);
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void aNewSubscriberOfAStateTopicGetsTheLatestValueOfEveryKey(Transports transport) {
        String prices = "prices";
        server.runnel().hub().publish(new Publication(prices, "quote", "X 1", "X", false));
        server.runnel().hub().publish(new Publication(prices, "quote", "X 2", "X", false));
        server.runnel().hub().publish(new Publication(prices, "quote", "Y 1", "Y", false));
        try (Feed feed = transport.open(server, List.of(prices), null)) {
            List<String> snapshot = new ArrayList<>();
            for (Item item = feed.next(); ; item = feed.next()) {
                assertEquals("event", item.type(), "no reset without a cursor");
                snapshot.add(item.data());
                if (item.data().equals("Y 1")) {
                    break;
                }
            }
            assertTrue(snapshot.contains("X 2") && !snapshot.contains("X 1"), snapshot.toString());
            feed.awaitJoined();
            String resumeAt = feed.cursor();
            assertNotNull(resumeAt);
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void aFiniteTopicEndsAndAClientAtItsEndIsToldAtOnce(Transports transport) throws Exception {
        String run = "runs/" + TOPICS.incrementAndGet();
        String cursor;
        try (Feed feed = transport.open(server, List.of(run), null).awaitJoined()) {
            publish(run, "progress", "50");
            String last = server.publishDirect(Publication.of(run, "done", "100").asLast());
            assertEquals(List.of("50", "100"), data(feed.next(2)));
            assertNull(feed.nextOrEnd(Feed.TIMEOUT), "the feed ends after the final event");
            cursor = feed.cursor();
            assertEquals(last, cursor);
        }
        try (Feed again = transport.open(server, List.of(run), cursor)) {
            assertNull(again.nextOrEnd(Feed.TIMEOUT), "nothing more, ever: the transport says so at once");
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void reconnectingWithTheTransportsCursorLosesNothingAndRepeatsNothing(Transports transport) {
        String t = topic("resume");
        String cursor;
        try (Feed feed = transport.open(server, List.of(t), null).awaitJoined()) {
            publish(t, "n", "1");
            publish(t, "n", "2");
            assertEquals(List.of("1", "2"), data(feed.next(2)));
            cursor = feed.cursor();
        }
        publish(t, "n", "3");
        publish(t, "n", "4");
        try (Feed feed = transport.open(server, List.of(t), cursor)) {
            assertEquals(List.of("3", "4"), data(feed.next(2)));
            feed.awaitJoined();
            publish(t, "n", "5");
            assertEquals("5", feed.next().data());
            feed.assertNoMoreItems(QUIET);
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void aCursorOfOneTransportResumesOnEveryOther(Transports transport) {
        String t = topic("switch");
        String cursor;
        try (Feed sse = Transports.SSE.open(server, List.of(t), null).awaitJoined()) {
            publish(t, "n", "1");
            assertEquals("1", sse.next().data());
            cursor = sse.cursor();
        }
        publish(t, "n", "2");
        try (Feed feed = transport.open(server, List.of(t), cursor)) {
            assertEquals("2", feed.next().data());
            feed.assertNoMoreItems(QUIET);
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void dataThatLooksLikeFramingOrJsonArrivesAsData(Transports transport) {
        String t = topic("inject");
        List<String> hostile = List.of("line one\nevent: forged\ndata: evil\nid: 0-1\n\n",
                "\"},{\"type\":\"event\",\"id\":\"x\"", "</script><b>bold</b>", "\r\nretry: 1\r\n", "tab\tnul\u0001 é 😀",
                "{\"events\":[],\"cursor\":\"forged\",\"ended\":true}");
        try (Feed feed = transport.open(server, List.of(t), null).awaitJoined()) {
            List<String> ids = new ArrayList<>();
            for (String data : hostile) {
                ids.add(publish(t, "n", data));
            }
            List<Item> items = feed.next(hostile.size());
            // SSE carries CR and CRLF as line ends, which the parser turns into LF (WHATWG): the bytes a
            // browser hands the page. The JSON transports carry the string exactly.
            List<String> expected = transport == Transports.SSE
                    ? hostile.stream().map(s -> s.replace("\r\n", "\n").replace('\r', '\n')).toList() : hostile;
            assertEquals(expected, data(items));
            assertEquals(ids, items.stream().map(Item::id).toList());
            assertFalse(items.stream().anyMatch(i -> "forged".equals(i.event())));
            feed.assertNoMoreItems(QUIET);
            assertFalse(feed.isEnded());
        }
    }
}
