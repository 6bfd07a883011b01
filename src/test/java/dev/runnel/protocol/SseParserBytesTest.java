package dev.runnel.protocol;

import static dev.runnel.protocol.Feeding.bytes;
import static dev.runnel.protocol.Feeding.concat;
import static dev.runnel.protocol.Feeding.dispatched;
import static dev.runnel.protocol.Feeding.message;
import static dev.runnel.protocol.Feeding.parseChunks;
import static dev.runnel.protocol.Feeding.parseEveryWay;
import static dev.runnel.protocol.Feeding.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runnel.protocol.Feeding.Comment;
import dev.runnel.protocol.Feeding.Transcript;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How {@link SseParser} turns bytes into text: the leading byte order mark, UTF-8 decoding with
 * replacement characters, and the ways bytes can be handed to it. Like {@link SseParserTest},
 * every stream is also fed byte by byte and in many random chunkings.
 */
class SseParserBytesTest {

    private static List<Object> events(String stream) {
        return parseEveryWay(stream).calls();
    }

    // --- byte order mark ---

    @Test
    void leadingBomIsStripped() {
        assertEquals(List.of(message("x")), events("\uFEFFdata: x\n\n"));
    }

    @Test
    void secondLeadingBomBecomesPartOfTheFieldName() {
        assertEquals(List.of(), events("\uFEFF\uFEFFdata: x\n\n"));
    }

    @Test
    void bomInsideDataIsKept() {
        assertEquals(List.of(message("\uFEFFx")), events("\uFEFFdata: \uFEFFx\n\n"));
    }

    @Test
    void bomAfterTheFirstByteIsNotStripped() {
        assertEquals(List.of(message("a")), events("data: a\n\n\uFEFFdata: b\n\n"));
    }

    @Test
    void bomSplitAcrossChunksIsStillStripped() {
        byte[] stream = utf8("\uFEFFdata: x\n\n");
        List<byte[]> chunks = List.of(bytes(0xEF), bytes(0xBB), bytes(0xBF),
                Arrays.copyOfRange(stream, 3, stream.length));
        assertEquals(List.of(message("x")), parseChunks(chunks, new Random(7)).calls());
    }

    @Test
    void incompleteBomIsDecodedAsTextOfTheFirstLine() {
        // EF BB then LF: one replacement character forms an ignored field name.
        byte[] stream = concat(bytes(0xEF, 0xBB), utf8("\ndata: x\n\n"));
        assertEquals(List.of(message("x")), parseEveryWay(stream).calls());
    }

    @Test
    void incompleteBomFollowedByTextStartsAComment() {
        byte[] stream = concat(bytes(0xEF), utf8(":\n"), utf8(": ok\n"));
        assertEquals(List.of(new Comment("ok")), parseEveryWay(stream).calls());
    }

    // --- UTF-8 ---

    @Test
    void invalidUtf8DecodesToReplacementCharacters() {
        byte[] stream = concat(utf8("data: "), bytes(0xFF), utf8("a"),
                bytes(0xC0, 0xAF), utf8("b"),
                bytes(0xED, 0xA0, 0x80), utf8("c"),
                bytes(0xF0, 0x9F, 0x98), utf8("d"),
                bytes(0xF4, 0x90, 0x80, 0x80), utf8("\ndata: "),
                bytes(0xE2, 0x82), utf8("\n\n"));
        assertEquals(List.of(message("\uFFFDa\uFFFD\uFFFDb\uFFFD\uFFFD\uFFFDc\uFFFDd"
                + "\uFFFD\uFFFD\uFFFD\uFFFD\n\uFFFD")), parseEveryWay(stream).calls());
    }

    @Test
    void truncatedSequenceBeforeLineEndBecomesOneReplacementCharacter() {
        byte[] stream = concat(utf8("data: x"), bytes(0xF0, 0x9F, 0x98), utf8("\r\n\r\n"));
        assertEquals(List.of(message("x\uFFFD")), parseEveryWay(stream).calls());
    }

    @Test
    void utf8TextSurvivesEveryChunking() {
        Transcript t = parseEveryWay("id: 编号😀\nevent: 价格\ndata: 你好，世界\ndata: 😀 ok é\n\n");
        assertEquals(List.of(dispatched("价格", "编号😀", "你好，世界\n😀 ok é")), t.calls());
        assertEquals("编号😀", t.lastEventId());
    }

    // --- feeding ---

    @Test
    void feedingAByteBufferConsumesIt() {
        List<SseEvent> seen = new ArrayList<>();
        SseParser parser = new SseParser(seen::add);
        ByteBuffer heap = ByteBuffer.wrap(utf8("data: a\n\n"));
        ByteBuffer direct = ByteBuffer.allocateDirect(20000);
        direct.put(utf8("data: " + "b".repeat(19000) + "\n\n")).flip();
        parser.feed(heap);
        parser.feed(direct.asReadOnlyBuffer());
        parser.feed(direct);
        assertEquals(0, heap.remaining());
        assertEquals(0, direct.remaining());
        assertEquals(List.of(message("a"), message("b".repeat(19000)),
                message("b".repeat(19000))), seen);
    }

    @Test
    void feedOutsideTheArrayIsRejected() {
        SseParser parser = new SseParser(event -> { });
        assertThrows(IndexOutOfBoundsException.class, () -> parser.feed(new byte[4], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> parser.feed(new byte[4], -1, 1));
    }

    @Test
    void manyEventsInOneChunkArriveInOrder() {
        StringBuilder stream = new StringBuilder();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            stream.append("id: ").append(i).append("\ndata: ").append(i).append("\n\n");
            expected.add(dispatched("message", Integer.toString(i), Integer.toString(i)));
        }
        assertEquals(expected, events(stream.toString()));
    }
}
