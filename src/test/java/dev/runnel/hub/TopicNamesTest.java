package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Topic names, topic kinds by prefix, and what a publication may carry. */
class TopicNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "news", "Z9", "stocks/eu", "tasks/42", "a.b_c~d-e", "A/b/C/d", "...", "a..b",
            ".hidden", "v1.2/x-y_z~"})
    void unreservedSegmentsJoinedBySlashAreValid(String topic) {
        assertSame(topic, TopicNames.check(topic));
        assertTrue(TopicNames.isValid(topic));
    }

    @Test
    void twoHundredCharactersAreValidAndOneMoreIsNot() {
        String max = "a".repeat(TopicNames.MAX_LENGTH);
        assertTrue(TopicNames.isValid(max));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicNames.check(max + "b"));
        assertEquals("topic: 201 characters (expected: at most 200)", e.getMessage());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a//b", "/a", "a/", "/", ".", "..", "a/../b", "../a", "a/..", "a/./b", "a b", " a",
            "a\t", "a\nb", "ü", "日本", "a😀", "%2e", "%2e%2e/a", "a?b", "a#b", "a&b", "a=b", "a+b", "a:b", "a\\b",
            "a*", "a\u0000"})
    void everythingElseIsRejected(String topic) {
        assertFalse(TopicNames.isValid(topic));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicNames.check(topic));
        assertTrue(e.getMessage().startsWith("topic: ") && e.getMessage().contains("(expected: "), e.getMessage());
    }

    @Test
    void rejectionSaysWhereAndWhat() {
        assertMessage("a//b", "topic: empty segment at index 2 (expected: no leading, trailing or doubled /)");
        assertMessage("a/../b", "topic: segment \"..\" at index 2 (expected: not . or ..)");
        String rule = " (expected: segments of A-Z a-z 0-9 . _ ~ - joined by /)";
        assertMessage("a b", "topic: character ' ' at index 1" + rule);
        assertMessage("aü", "topic: character U+00FC at index 1" + rule);
        assertMessage("", "topic: empty (expected: 1 to 200 characters)");
    }

    @Test
    void hubRefusesToSubscribeToAnInvalidTopic() {
        Hub hub = HubRig.on(HubRig.Log.MEMORY).capacity(10).start().hub;
        RecordingSubscriber subscriber = new RecordingSubscriber();
        assertThrows(IllegalArgumentException.class, () -> hub.subscribe(List.of("ok", "a/../b"), null, subscriber));
        assertThrows(IllegalArgumentException.class, () -> hub.subscribe(List.of(), null, subscriber));
        assertEquals(0, hub.subscriptionCount());
        assertEquals(0, hub.topicCount());
    }

    @Test
    void kindIsChosenByTheLongestMatchingPrefix() {
        TopicKinds kinds = TopicKinds.of(List.of("stocks", " ", "metrics/", "tasks/state"), List.of("tasks/", ""));

        assertEquals(TopicKind.STATE, kinds.kindOf("stocks"));
        assertEquals(TopicKind.STATE, kinds.kindOf("stocks/eu"));
        assertEquals(TopicKind.STREAM, kinds.kindOf("stocksx"), "a prefix matches whole segments");
        assertEquals(TopicKind.STATE, kinds.kindOf("metrics/cpu"));
        assertEquals(TopicKind.STREAM, kinds.kindOf("metrics"), "a prefix ending in / matches only below it");
        assertEquals(TopicKind.FINITE, kinds.kindOf("tasks/42"));
        assertEquals(TopicKind.STREAM, kinds.kindOf("tasks"));
        assertEquals(TopicKind.STATE, kinds.kindOf("tasks/state/7"), "the longer prefix wins");
        assertEquals(TopicKind.STREAM, kinds.kindOf("news"));
        assertEquals(TopicKind.STREAM, TopicKinds.allStreams().kindOf("stocks"));
        assertThrows(IllegalArgumentException.class, () -> TopicKinds.of(List.of("a//b"), List.of()));
    }

    @Test
    void publicationRefusesReservedNamesControlCharactersAndMissingData() {
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", "connected", "x"));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", "reset", "x"));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", "a\nid: 9", "x"));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", "a\tb", "x"));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", "", "x"));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", null, null));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("bad topic", null, "x"));
        assertThrows(IllegalArgumentException.class, () -> Publication.of("news", null, "x").withKey("k\r"));
        assertThrows(IllegalArgumentException.class,
                () -> Publication.of("news", null, "x").withKey("k".repeat(Publication.MAX_KEY_LENGTH + 1)));
        assertEquals("", Publication.of("news", null, "").data());
    }

    private static void assertMessage(String topic, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> TopicNames.check(topic)).getMessage());
    }
}
