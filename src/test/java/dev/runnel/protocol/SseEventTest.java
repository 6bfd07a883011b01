package dev.runnel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SseEventTest {

    @Test
    void dataOnlyEventHasNoOtherFields() {
        SseEvent e = SseEvent.of("x");
        assertEquals("x", e.data());
        assertNull(e.event());
        assertNull(e.id());
        assertEquals(OptionalLong.empty(), e.retry());
    }

    @Test
    void emptyDataIsAllowedButNullIsNot() {
        assertEquals("", SseEvent.of("").data());
        assertThrows(NullPointerException.class, () -> SseEvent.of(null));
        assertThrows(NullPointerException.class, () -> SseEvent.of("e", null));
    }

    @Test
    void withersReturnCopiesAndLeaveTheOriginalUnchanged() {
        SseEvent base = SseEvent.of("e", "x");
        SseEvent full = base.withId("1").withEvent("f").withRetry(0);
        assertEquals("e", base.event());
        assertNull(base.id());
        assertEquals(OptionalLong.empty(), base.retry());
        assertEquals("f", full.event());
        assertEquals("1", full.id());
        assertEquals(OptionalLong.of(0), full.retry());
        assertEquals("x", full.data());
    }

    @Test
    void nullClearsIdAndEvent() {
        SseEvent e = SseEvent.of("e", "x").withId("1").withId(null).withEvent(null);
        assertEquals(SseEvent.of("x"), e);
    }

    @Test
    void negativeRetryIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SseEvent.of("x").withRetry(-5));
        assertEquals("retry: -5 is negative (expected: milliseconds >= 0)", e.getMessage());
    }

    @Test
    void equalEventsHaveEqualHashCodes() {
        SseEvent a = SseEvent.of("e", "x").withId("1").withRetry(5);
        SseEvent b = SseEvent.of("x").withRetry(5).withId("1").withEvent("e");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void eventsDifferingInAnyFieldAreNotEqual() {
        SseEvent a = SseEvent.of("e", "x").withId("1").withRetry(5);
        assertNotEquals(a, a.withEvent("f"));
        assertNotEquals(a, a.withId("2"));
        assertNotEquals(a, a.withId(null));
        assertNotEquals(a, a.withRetry(6));
        assertNotEquals(a, SseEvent.of("e", "y").withId("1").withRetry(5));
        assertNotEquals(SseEvent.of("", "x"), SseEvent.of("x"));
        assertNotEquals(a, "x");
    }

    @Test
    void toStringKeepsLineBreaksVisibleOnOneLine() {
        assertEquals("SseEvent[event=\"e\", id=null, retry=5, data=\"a\\nb\\r\\\"\"]",
                SseEvent.of("e", "a\nb\r\"").withRetry(5).toString());
        assertEquals("SseEvent[event=null, id=\"\", data=\"\"]", SseEvent.of("").withId("").toString());
    }
}
