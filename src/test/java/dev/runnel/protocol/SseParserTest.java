package dev.runnel.protocol;

import static dev.runnel.protocol.Feeding.dispatched;
import static dev.runnel.protocol.Feeding.message;
import static dev.runnel.protocol.Feeding.parseChunks;
import static dev.runnel.protocol.Feeding.parseEveryWay;
import static dev.runnel.protocol.Feeding.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runnel.protocol.Feeding.Comment;
import dev.runnel.protocol.Feeding.Retry;
import dev.runnel.protocol.Feeding.Transcript;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One test per rule of the WHATWG event stream interpretation. Every stream goes through
 * {@link Feeding#parseEveryWay}, so each rule is also checked byte by byte and in many chunkings.
 */
class SseParserTest {

    private static List<Object> events(String stream) {
        return parseEveryWay(stream).calls();
    }

    // --- line endings ---

    @Test
    void crlfEndsALine() {
        assertEquals(List.of(message("a\nb")), events("data: a\r\ndata: b\r\n\r\n"));
    }

    @Test
    void loneCrEndsALine() {
        assertEquals(List.of(message("a\nb")), events("data: a\rdata: b\r\r"));
    }

    @Test
    void loneLfEndsALine() {
        assertEquals(List.of(message("a\nb")), events("data: a\ndata: b\n\n"));
    }

    @Test
    void mixedLineEndingsEachCountOnce() {
        assertEquals(List.of(message("a\nb\nc"), message("d")),
                events("data: a\r\ndata: b\rdata: c\n\r\ndata: d\n\r"));
    }

    @Test
    void lfThenCrIsTwoLineEndings() {
        assertEquals(List.of(message("a")), events("data: a\n\r"));
    }

    @Test
    void crAtEndOfChunkAndLfAtStartOfNextAreOneLineEnding() {
        List<byte[]> chunks = List.of(utf8("data: a\r"), utf8("\ndata: b\r"), utf8("\n\r"),
                utf8("\n"));
        assertEquals(List.of(message("a\nb")), parseChunks(chunks, new Random(3)).calls());
    }

    @Test
    void crAtEndOfChunkFollowedByEmptyChunksStillPairsWithLf() {
        List<byte[]> chunks = List.of(utf8("data: a\r"), new byte[0], new byte[0],
                utf8("\ndata: b\n\n"));
        assertEquals(List.of(message("a\nb")), parseChunks(chunks, new Random(4)).calls());
    }

    // --- comments and fields ---

    @Test
    void lineStartingWithColonIsACommentAndDispatchesNothing() {
        assertEquals(List.of(new Comment("keep-alive"), new Comment("no space"),
                new Comment(" two spaces"), new Comment("")),
                events(": keep-alive\n:no space\n:  two spaces\n:\n\n"));
    }

    @Test
    void commentBetweenDataLinesDoesNotSplitTheEvent() {
        assertEquals(List.of(new Comment("hi"), message("a\nb")),
                events("data: a\n: hi\ndata: b\n\n"));
    }

    @Test
    void fieldNamesAreCaseSensitive() {
        assertEquals(List.of(), events("Data: x\nDATA: y\n\n"));
        assertEquals(List.of(message("x")), events("ID: 5\nEvent: e\nRetry: 9\ndata: x\n\n"));
    }

    @Test
    void lineWithoutColonIsAFieldWithEmptyValue() {
        assertEquals(List.of(message("")), events("data\n\n"));
        assertEquals(List.of(message("\na")), events("data\ndata: a\n\n"));
    }

    @Test
    void exactlyOneSpaceAfterTheColonIsRemoved() {
        assertEquals(List.of(message("x\nx\n x\nx \n")),
                events("data:x\ndata: x\ndata:  x\ndata: x \ndata: \n\n"));
    }

    @Test
    void onlyTheFirstColonSeparatesNameFromValue() {
        assertEquals(List.of(message("a: b:c")), events("data: a: b:c\n\n"));
    }

    @Test
    void dataLinesAreJoinedWithLfAndTheFinalLfIsRemoved() {
        assertEquals(List.of(message("one\ntwo\n\nfour")),
                events("data: one\ndata: two\ndata:\ndata: four\n\n"));
    }

    @Test
    void blockWithoutDataDispatchesNothing() {
        assertEquals(List.of(), events("event: tick\n\n\n\n"));
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertEquals(List.of(message("x")), events("foo: bar\nbaz\ndata: x\n\n"));
    }

    // --- last event id ---

    @Test
    void idOnlyBlockSetsLastEventIdWithoutAnEvent() {
        Transcript t = parseEveryWay("id: 7\n\n");
        assertEquals(List.of(), t.calls());
        assertEquals("7", t.lastEventId());
    }

    @Test
    void idTakesEffectOnlyAtDispatch() {
        Transcript t = parseEveryWay("id: 1\n\nid: 2\n");
        assertEquals("1", t.lastEventId());
    }

    @Test
    void idContainingNulIsIgnored() {
        Transcript t = parseEveryWay("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n");
        assertEquals(List.of(dispatched("message", "1", "a"), dispatched("message", "1", "b")),
                t.calls());
        assertEquals("1", t.lastEventId());
    }

    @Test
    void emptyIdResetsTheLastEventId() {
        Transcript t = parseEveryWay(
                "id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\n\nid:\n\nid: 3\n\nid: \ndata: c\n\n");
        assertEquals(List.of(dispatched("message", "1", "a"), dispatched("message", "", "b"),
                dispatched("message", "", "c")), t.calls());
        assertEquals("", t.lastEventId());
    }

    @Test
    void lastIdCarriesOverToEventsWithoutAnIdField() {
        Transcript t = parseEveryWay("id: 9\ndata: a\n\ndata: b\n\nevent: e\ndata: c\n\n");
        assertEquals(List.of(dispatched("message", "9", "a"), dispatched("message", "9", "b"),
                dispatched("e", "9", "c")), t.calls());
        assertEquals("9", t.lastEventId());
    }

    @Test
    void lastEventIdIsEmptyBeforeAnyId() {
        assertEquals("", parseEveryWay("data: a\n\n").lastEventId());
    }

    // --- retry ---

    @Test
    void retryWithAsciiDigitsSetsTheReconnectionTime() {
        Transcript t = parseEveryWay("retry: 3000\nretry: 0\nretry: 0042\n");
        assertEquals(List.of(new Retry(3000), new Retry(0), new Retry(42)), t.calls());
        assertEquals(42, t.reconnectionTime());
    }

    @Test
    void retryThatIsNotAllAsciiDigitsIsIgnored() {
        Transcript t = parseEveryWay("retry: 100\nretry: 5s\nretry: -1\nretry: 1.5\nretry:\n"
                + "retry: \nretry:  200\nretry: \uFF15\nretry: +3\nretry: 99999999999999999999\n");
        assertEquals(List.of(new Retry(100)), t.calls());
        assertEquals(100, t.reconnectionTime());
    }

    @Test
    void reconnectionTimeIsMinusOneUntilAValidRetry() {
        assertEquals(-1, parseEveryWay("retry: x\ndata: a\n\n").reconnectionTime());
    }

    @Test
    void retryInsideAnEventDoesNotAppearOnTheEvent() {
        assertEquals(List.of(new Retry(5), message("a")), events("retry: 5\ndata: a\n\n"));
    }

    // --- event type ---

    @Test
    void emptyEventNameMeansMessage() {
        assertEquals(List.of(message("a"), message("b")),
                events("event:\ndata: a\n\nevent: \ndata: b\n\n"));
    }

    @Test
    void eventTypeResetsAfterEachDispatch() {
        assertEquals(List.of(dispatched("price", "", "a"), message("b")),
                events("event: price\ndata: a\n\ndata: b\n\n"));
    }

    @Test
    void eventTypeResetsEvenWhenNothingIsDispatched() {
        assertEquals(List.of(message("b")), events("event: price\n\ndata: b\n\n"));
    }

    @Test
    void laterEventFieldWins() {
        assertEquals(List.of(dispatched("b", "", "x")), events("event: a\nevent: b\ndata: x\n\n"));
    }

    // --- end of stream ---

    @Test
    void unterminatedEventAtEndOfStreamIsDiscarded() {
        assertEquals(List.of(message("a")), events("data: a\n\ndata: b\n"));
        assertEquals(List.of(), events("data: b"));
        assertEquals(List.of(), events("data: b\r"));
    }

    @Test
    void unterminatedIdAtEndOfStreamDoesNotMoveTheLastEventId() {
        assertEquals("1", parseEveryWay("id: 1\n\nid: 2\n").lastEventId());
    }

    @Test
    void feedAfterEndIsRejected() {
        SseParser parser = new SseParser(event -> { });
        parser.end();
        parser.end();
        assertThrows(IllegalStateException.class, () -> parser.feed(utf8("data: x\n\n")));
    }
}
