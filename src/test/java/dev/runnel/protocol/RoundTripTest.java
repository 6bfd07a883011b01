package dev.runnel.protocol;

import static dev.runnel.protocol.Feeding.dispatched;
import static dev.runnel.protocol.Feeding.parseChunks;
import static dev.runnel.protocol.Feeding.parseEveryWay;
import static dev.runnel.protocol.Feeding.randomChunks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.protocol.Feeding.Comment;
import dev.runnel.protocol.Feeding.Retry;
import dev.runnel.protocol.Feeding.Transcript;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What {@link SseEncoder} writes, {@link SseParser} reads back. Data comes back with every line
 * break as LF: the wire has no way to tell CR, LF and CRLF apart once they end data lines.
 */
class RoundTripTest {

    private static final int SEEDS = 500;

    /** Pieces chosen to stress the format: line breaks, spaces, colons, field look-alikes. */
    private static final String[] TEXT = {
        "a", "xyz", " ", "  ", ":", ": ", "id: x", "id:", "data: y", "event: z", "retry: 5",
        "你好", "😀", "é", "\uFEFF", "\u0000", "\t", "message", "0",
    };
    private static final String[] BREAKS = {"\r", "\n", "\r\n"};

    private static String text(Random random, boolean lineBreaks) {
        StringBuilder sb = new StringBuilder();
        int pieces = random.nextInt(6);
        for (int i = 0; i < pieces; i++) {
            if (lineBreaks && random.nextInt(3) == 0) {
                sb.append(BREAKS[random.nextInt(BREAKS.length)]);
            } else if (random.nextInt(8) == 0) {
                sb.appendCodePoint(randomCodePoint(random));
            } else {
                sb.append(TEXT[random.nextInt(TEXT.length)]);
            }
        }
        return sb.toString();
    }

    private static int randomCodePoint(Random random) {
        while (true) {
            int cp = random.nextInt(Character.MAX_CODE_POINT + 1);
            if (!Character.isSurrogate((char) cp) || cp > 0xFFFF) {
                if (cp != '\r' && cp != '\n') {
                    return cp;
                }
            }
        }
    }

    /** A field value the encoder accepts: no CR, LF or NUL; sometimes null or empty. */
    private static String field(Random random) {
        int pick = random.nextInt(5);
        if (pick == 0) {
            return null;
        }
        if (pick == 1) {
            return "";
        }
        return text(random, false).replace("\u0000", "");
    }

    private static SseEvent randomEvent(Random random) {
        SseEvent event = SseEvent.of(field(random), text(random, true)).withId(field(random));
        return random.nextInt(4) == 0 ? event.withRetry(random.nextInt(100_000)) : event;
    }

    private static String lf(String s) {
        return s.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String type(SseEvent event) {
        return event.event() == null || event.event().isEmpty() ? "message" : event.event();
    }

    @Test
    void everyRandomEventParsesBackToItsDataEventAndId() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            SseEvent event = randomEvent(random);
            List<Object> expected = new ArrayList<>();
            event.retry().ifPresent(ms -> expected.add(new Retry(ms)));
            String id = event.id() == null ? "" : event.id();
            expected.add(dispatched(type(event), id, lf(event.data())));
            Transcript t = parseChunks(randomChunks(SseEncoder.encode(event), random), random);
            assertEquals(expected, t.calls(), "seed " + seed + ": " + event);
            assertEquals(id, t.lastEventId(), "seed " + seed);
        }
    }

    @Test
    void randomStreamsOfEventsCommentsRetriesAndIdsParseBackInOrder() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            List<Object> expected = new ArrayList<>();
            String lastId = "";
            long reconnection = -1;
            int blocks = 1 + random.nextInt(10);
            for (int b = 0; b < blocks; b++) {
                int kind = random.nextInt(10);
                if (kind == 0) {
                    String comment = text(random, true);
                    wire.writeBytes(SseEncoder.comment(comment));
                    for (String line : lf(comment).split("\n", -1)) {
                        expected.add(new Comment(line));
                    }
                } else if (kind == 1) {
                    String id = field(random);
                    id = id == null ? "" : id;
                    wire.writeBytes(SseEncoder.idOnly(id));
                    lastId = id;
                } else if (kind == 2) {
                    reconnection = random.nextInt(10_000);
                    wire.writeBytes(SseEncoder.retry(reconnection));
                    expected.add(new Retry(reconnection));
                } else {
                    SseEvent event = randomEvent(random);
                    wire.writeBytes(SseEncoder.encode(event));
                    if (event.retry().isPresent()) {
                        reconnection = event.retry().getAsLong();
                        expected.add(new Retry(reconnection));
                    }
                    if (event.id() != null) {
                        lastId = event.id();
                    }
                    expected.add(dispatched(type(event), lastId, lf(event.data())));
                }
            }
            Transcript t = parseChunks(randomChunks(wire.toByteArray(), random), random);
            assertEquals(new Transcript(expected, lastId, reconnection), t, "seed " + seed);
        }
    }

    @Test
    void dataWithCrAndCrlfRoundTripsAsLfJoinedLines() {
        byte[] wire = SseEncoder.encode(null, null, -1, "a\r\nb\rc\nd");
        assertEquals(List.of(Feeding.message("a\nb\nc\nd")), parseEveryWay(wire).calls());
    }

    @Test
    void trailingAndEmptyLinesInDataRoundTrip() {
        for (String data : new String[] {"", "\n", "a\n", "\n\na", "a\n\n"}) {
            byte[] wire = SseEncoder.encode(null, null, -1, data);
            assertEquals(List.of(Feeding.message(data)), parseEveryWay(wire).calls(), data);
        }
    }

    @Test
    void leadingSpacesInDataLinesRoundTrip() {
        String data = " one\n  two\n\tthree";
        assertEquals(List.of(Feeding.message(data)),
                parseEveryWay(SseEncoder.encode(null, null, -1, data)).calls());
    }

    @Test
    void dataLinesThatLookLikeFieldsDoNotChangeTheIdOrType() {
        String data = "id: x\nevent: y\nretry: 5\n\ndata: z";
        Transcript t = parseEveryWay(SseEncoder.encode(null, "1", -1, data));
        assertEquals(List.of(dispatched("message", "1", data)), t.calls());
        assertEquals("1", t.lastEventId());
        assertEquals(-1, t.reconnectionTime());
    }

    @Test
    void eventAndIdWithLeadingSpacesAndColonsRoundTrip() {
        Transcript t = parseEveryWay(SseEncoder.encode("  a:b ", " :1", -1, "x"));
        assertEquals(List.of(dispatched("  a:b ", " :1", "x")), t.calls());
    }

    @Test
    void heartbeatCommentIsReadAsKeepAlive() {
        assertEquals(List.of(new Comment("keep-alive")),
                parseEveryWay(SseEncoder.comment("keep-alive")).calls());
    }
}
