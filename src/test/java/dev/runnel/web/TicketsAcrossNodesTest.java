package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one real {@code redis-server}: a ticket issued on one opens one stream on the other,
 * once; two nodes redeeming one ticket at the same moment open one stream between them; the holder's
 * cap counts its tickets on every node. Skipped with the reason when {@code redis-server} is missing
 * (failed under {@code RUNNEL_REQUIRE_ALL=true}).
 */
class TicketsAcrossNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String INBOX = "users/alice/inbox";

    private final List<TestServer> nodes = new ArrayList<>();
    private final String alice = Tokens.subscriber("alice", "users/alice/");

    @BeforeEach
    void start() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        for (int i = 0; i < 2; i++) {
            nodes.add(TestServer.startNode(redis, prefix, "runnel.jwt.secret", Tokens.SECRET,
                    "runnel.tickets.perSubject", "40"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (TestServer node : nodes) {
            node.close();
        }
    }

    @Test
    void aTicketIssuedOnOneNodeOpensOneStreamOnAnother() throws Exception {
        String ticket = PrivateTopicsTest.ticket(nodes.get(0), alice, INBOX);
        try (EventRecorder onB = open(nodes.get(1), ticket)) {
            assertEquals(200, onB.status());
            onB.connected();
            nodes.get(0).api().publish(INBOX, null, "via a ticket from A");
            assertEquals("via a ticket from A", onB.next(WAIT).data());
        }
        for (TestServer node : nodes) {
            try (EventRecorder again = open(node, ticket)) {
                assertEquals(401, again.status(), "used up on every node");
            }
        }
    }

    @Test
    void twoNodesRedeemingOneTicketAtOnceOpenExactlyOneStream() throws Exception {
        for (int round = 0; round < 20; round++) {
            String ticket = PrivateTopicsTest.ticket(nodes.get(round % 2), alice, INBOX);
            // Both requests are in flight before either answers: EventRecorder sends asynchronously.
            try (EventRecorder onA = open(nodes.get(0), ticket); EventRecorder onB = open(nodes.get(1), ticket)) {
                List<Integer> statuses = List.of(onA.status(), onB.status());
                assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "round " + round + ": " + statuses);
                assertEquals(1, statuses.stream().filter(s -> s == 401).count(), "round " + round + ": " + statuses);
            }
        }
    }

    @Test
    void theHoldersCapCountsItsTicketsOnEveryNode() throws Exception {
        for (int i = 0; i < 40; i++) {
            PrivateTopicsTest.ticket(nodes.get(i % 2), alice, INBOX);
        }
        for (TestServer node : nodes) {
            ContentResponse refused = node.postJson("/tickets", "{\"topics\":[\"" + INBOX + "\"]}",
                    "Authorization", "Bearer " + alice);
            assertEquals(429, refused.getStatus(), refused.getContentAsString());
            assertEquals("too-many-tickets",
                    JsonParser.parseString(refused.getContentAsString()).getAsJsonObject().get("error").getAsString());
        }
    }

    private static EventRecorder open(TestServer node, String ticket) {
        return EventRecorder.open(node.client(), node.uri("/events?topic=" + INBOX + "&ticket=" + ticket), null);
    }
}
