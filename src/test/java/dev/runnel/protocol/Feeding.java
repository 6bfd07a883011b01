package dev.runnel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test support: feeds a stream to {@link SseParser} whole, byte by byte and in many seeded
 * random chunkings through every {@code feed} overload, and checks that all agree. The parser
 * tests and round-trip tests share it so that every stream they check is also checked split at
 * every possible point.
 *
 * <p>Threading: every call builds its own parser; nothing is shared between calls.
 */
final class Feeding {

    static final int SEEDS = 300;

    record Retry(long millis) {
    }

    record Comment(String text) {
    }

    /** What the listener heard, in order, and the parser's state after {@code end()}. */
    record Transcript(List<Object> calls, String lastEventId, long reconnectionTime) {
    }

    private Feeding() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** An event as the parser reports it: type defaults to "message", id never null. */
    static SseEvent dispatched(String type, String id, String data) {
        return SseEvent.of(type, data).withId(id);
    }

    static SseEvent message(String data) {
        return dispatched("message", "", data);
    }

    /** Parses {@code input} every way; fails unless all ways agree; returns the transcript. */
    static Transcript parseEveryWay(String input) {
        return parseEveryWay(utf8(input));
    }

    static Transcript parseEveryWay(byte[] input) {
        Transcript whole = parseChunks(List.of(input), new Random(0));
        List<byte[]> singles = new ArrayList<>();
        for (byte b : input) {
            singles.add(new byte[] {b});
        }
        assertEquals(whole, parseChunks(singles, new Random(1)), "fed byte by byte");
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            assertEquals(whole, parseChunks(randomChunks(input, random), random),
                    "fed in chunks, seed " + seed);
        }
        return whole;
    }

    /** Cuts {@code input} at random points, empty chunks included. */
    static List<byte[]> randomChunks(byte[] input, Random random) {
        List<byte[]> chunks = new ArrayList<>();
        int maxChunk = 1 + random.nextInt(random.nextBoolean() ? 4 : 32);
        int i = 0;
        while (i < input.length) {
            int n = Math.min(input.length - i, random.nextInt(maxChunk + 1));
            chunks.add(Arrays.copyOfRange(input, i, i + n));
            i += n;
        }
        return chunks;
    }

    /** Feeds {@code chunks} in order, each through a randomly chosen {@code feed} overload. */
    static Transcript parseChunks(List<byte[]> chunks, Random random) {
        List<Object> calls = new ArrayList<>();
        SseParser parser = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                calls.add(event);
            }

            @Override
            public void onRetry(long millis) {
                calls.add(new Retry(millis));
            }

            @Override
            public void onComment(String text) {
                calls.add(new Comment(text));
            }
        });
        for (byte[] chunk : chunks) {
            switch (random.nextInt(4)) {
                case 0 -> parser.feed(chunk);
                case 1 -> {
                    // Surrounded by bytes the parser must not read.
                    byte[] padded = new byte[chunk.length + 6];
                    Arrays.fill(padded, (byte) '\n');
                    System.arraycopy(chunk, 0, padded, 3, chunk.length);
                    parser.feed(padded, 3, chunk.length);
                }
                case 2 -> {
                    ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length);
                    direct.put(chunk).flip();
                    parser.feed(direct);
                }
                default -> {
                    byte[] padded = new byte[chunk.length + 4];
                    Arrays.fill(padded, (byte) '\r');
                    System.arraycopy(chunk, 0, padded, 2, chunk.length);
                    parser.feed(ByteBuffer.wrap(padded, 2, chunk.length).slice());
                }
            }
        }
        parser.end();
        return new Transcript(calls, parser.lastEventId(), parser.reconnectionTime());
    }
}
