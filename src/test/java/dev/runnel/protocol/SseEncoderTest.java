package dev.runnel.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEncoderTest {

    /** Compares bytes exactly, but reports a mismatch as readable text. */
    private static void assertWire(String expected, byte[] actual) {
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, new String(actual, StandardCharsets.UTF_8));
        assertArrayEquals(want, actual);
    }

    private static void assertRejected(String message, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertEquals(message, e.getMessage());
    }

    // --- field combinations ---

    @Test
    void dataOnlyIsOneDataLineAndABlankLine() {
        assertWire("data: x\n\n", SseEncoder.encode(null, null, -1, "x"));
    }

    @Test
    void eventNameComesFirst() {
        assertWire("event: price\ndata: x\n\n", SseEncoder.encode("price", null, -1, "x"));
    }

    @Test
    void idLineComesBeforeData() {
        assertWire("id: 42\ndata: x\n\n", SseEncoder.encode(null, "42", -1, "x"));
    }

    @Test
    void retryLineIsDecimalDigits() {
        assertWire("retry: 0\ndata: x\n\n", SseEncoder.encode(null, null, 0, "x"));
        assertWire("retry: 9223372036854775807\ndata: x\n\n",
                SseEncoder.encode(null, null, Long.MAX_VALUE, "x"));
    }

    @Test
    void allFieldsAppearInOrderEventIdRetryData() {
        assertWire("event: e\nid: 1\nretry: 3000\ndata: x\n\n",
                SseEncoder.encode("e", "1", 3000, "x"));
        assertWire("event: e\nid: 1\ndata: x\n\n", SseEncoder.encode("e", "1", -1, "x"));
        assertWire("event: e\nretry: 5\ndata: x\n\n", SseEncoder.encode("e", null, 5, "x"));
        assertWire("id: 1\nretry: 5\ndata: x\n\n", SseEncoder.encode(null, "1", 5, "x"));
    }

    @Test
    void emptyEventNameWritesNoEventLine() {
        assertWire("data: x\n\n", SseEncoder.encode("", null, -1, "x"));
    }

    @Test
    void emptyIdIsWrittenSoTheClientResetsItsLastEventId() {
        assertWire("id: \ndata: x\n\n", SseEncoder.encode(null, "", -1, "x"));
    }

    @Test
    void emptyDataIsOneDataLineWithTheUsualPrefix() {
        assertWire("data: \n\n", SseEncoder.encode(null, null, -1, ""));
    }

    @Test
    void encodingAnEventMatchesTheFieldForm() {
        SseEvent event = SseEvent.of("e", "a\nb").withId("7").withRetry(10);
        assertArrayEquals(SseEncoder.encode("e", "7", 10, "a\nb"), SseEncoder.encode(event));
        assertWire("data: x\n\n", SseEncoder.encode(SseEvent.of("x")));
    }

    @Test
    void nullDataIsRejected() {
        assertThrows(NullPointerException.class, () -> SseEncoder.encode("e", "1", -1, null));
    }

    // --- data lines ---

    @Test
    void crLfAndCrlfInDataEachStartANewDataLine() {
        assertWire("data: a\ndata: b\ndata: c\ndata: d\n\n",
                SseEncoder.encode(null, null, -1, "a\r\nb\rc\nd"));
    }

    @Test
    void consecutiveLineBreaksKeepTheEmptyLinesBetween() {
        assertWire("data: a\ndata: \ndata: \ndata: b\n\n",
                SseEncoder.encode(null, null, -1, "a\n\r\rb"));
    }

    @Test
    void trailingNewlineInDataYieldsAFinalEmptyDataLine() {
        assertWire("data: a\ndata: \n\n", SseEncoder.encode(null, null, -1, "a\n"));
        assertWire("data: \ndata: \n\n", SseEncoder.encode(null, null, -1, "\r\n"));
    }

    @Test
    void leadingSpacesInDataAreProtectedByTheSingleSpaceAfterTheColon() {
        assertWire("data:   two\n\n", SseEncoder.encode(null, null, -1, "  two"));
    }

    @Test
    void dataThatLooksLikeAFieldStaysInsideDataLines() {
        assertWire("data: id: x\ndata: event: y\ndata: \ndata: retry: 1\n\n",
                SseEncoder.encode(null, null, -1, "id: x\nevent: y\n\nretry: 1"));
    }

    @Test
    void utf8TextIsEncodedIntact() {
        assertWire("event: 价格\nid: 编号\ndata: 你好😀\n\n", SseEncoder.encode("价格", "编号", -1, "你好😀"));
        assertArrayEquals(new byte[] {'d', 'a', 't', 'a', ':', ' ', (byte) 0xF0, (byte) 0x9F,
            (byte) 0x98, (byte) 0x80, '\n', '\n'}, SseEncoder.encode(null, null, -1, "😀"));
    }

    @Test
    void outputNeverStartsWithAByteOrderMark() {
        byte[] bytes = SseEncoder.encode(null, null, -1, "\uFEFFx");
        assertEquals('d', bytes[0]);
        assertEquals(':', SseEncoder.comment("\uFEFF")[0]);
    }

    // --- rejected fields ---

    @Test
    void idWithNewlineCannotInjectAField() {
        assertRejected("id: contains LF (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode(null, "1\ndata: forged", -1, "x"));
    }

    @Test
    void idWithCarriageReturnCannotInjectAField() {
        assertRejected("id: contains CR (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode(null, "1\revent: forged", -1, "x"));
    }

    @Test
    void idWithNulIsRejectedBecauseClientsWouldIgnoreIt() {
        assertRejected("id: contains NUL (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode(null, "1\u00002", -1, "x"));
    }

    @Test
    void eventWithNewlineCannotInjectAField() {
        assertRejected("event: contains LF (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode("a\nid: forged", null, -1, "x"));
        assertRejected("event: contains CR (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode("a\r", null, -1, "x"));
        assertRejected("event: contains NUL (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode("a\u0000", null, -1, "x"));
    }

    @Test
    void eventObjectWithNewlineInIdIsRejectedWhenEncoded() {
        SseEvent event = SseEvent.of("x").withId("1\r\n");
        assertRejected("id: contains CR (expected: no CR, LF or NUL)",
                () -> SseEncoder.encode(event));
    }

    @Test
    void checkFieldNamesTheFieldAndAcceptsNullOrPlainValues() {
        SseEncoder.checkField("id", null);
        SseEncoder.checkField("id", "");
        SseEncoder.checkField("event", "a b:c 😀");
        assertRejected("topic: contains LF (expected: no CR, LF or NUL)",
                () -> SseEncoder.checkField("topic", "a\n"));
    }

    // --- comments, retry, id-only ---

    @Test
    void commentIsOneColonLineWithNoBlankLineAfter() {
        assertWire(": keep-alive\n", SseEncoder.comment("keep-alive"));
    }

    @Test
    void multiLineCommentBecomesOneCommentLinePerLine() {
        assertWire(": a\n: b\n: c\n: \n", SseEncoder.comment("a\r\nb\rc\n"));
    }

    @Test
    void emptyCommentIsAColonAndASpace() {
        assertWire(": \n", SseEncoder.comment(""));
    }

    @Test
    void retryBlockIsARetryLineAndABlankLine() {
        assertWire("retry: 3000\n\n", SseEncoder.retry(3000));
        assertWire("retry: 0\n\n", SseEncoder.retry(0));
    }

    @Test
    void negativeRetryIsRejected() {
        assertRejected("retry: -1 is negative (expected: milliseconds >= 0)",
                () -> SseEncoder.retry(-1));
    }

    @Test
    void idOnlyBlockIsAnIdLineAndABlankLine() {
        assertWire("id: 42\n\n", SseEncoder.idOnly("42"));
        assertWire("id: \n\n", SseEncoder.idOnly(""));
    }

    @Test
    void idOnlyWithNewlineCannotInjectAField() {
        assertRejected("id: contains LF (expected: no CR, LF or NUL)",
                () -> SseEncoder.idOnly("1\ndata: forged"));
    }

    @Test
    void idOnlyBlockMovesTheParsersLastEventIdWithoutAnEvent() {
        Feeding.Transcript t = Feeding.parseEveryWay(SseEncoder.idOnly("42"));
        assertEquals("42", t.lastEventId());
        assertEquals(List.of(), t.calls());
    }
}
