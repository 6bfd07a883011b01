package dev.runnel.chat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The history of each conversation, so that a follow-up question has context: the newest turns that
 * fit in {@code maxTurns} and {@code maxBytes} (UTF-8), forgotten {@code ttlMillis} after the last
 * turn, at most {@code maxConversations} (the least recently used goes first). Ids are issued here,
 * never chosen by clients, and a conversation belongs to the caller that started it: to anyone else
 * it does not exist.
 *
 * <p>Threading: thread-safe; every method holds the instance's monitor briefly.
 */
final class Conversations {
    private final int maxTurns;
    private final long maxBytes;
    private final long ttlMillis;
    private final int maxConversations;
    private final LongSupplier clock;
    private final Map<String, Conversation> byId = new LinkedHashMap<>(16, 0.75f, true); // guarded by this; LRU

    private static final class Conversation {
        final String owner;
        final ArrayDeque<ChatModel.Message> turns = new ArrayDeque<>();
        long bytes;
        long touchedMillis;

        Conversation(String owner, long now) {
            this.owner = owner;
            this.touchedMillis = now;
        }
    }

    Conversations(int maxTurns, long maxBytes, long ttlMillis, int maxConversations, LongSupplier clock) {
        if (maxTurns < 2) {
            throw new IllegalArgumentException("runnel.chat.history.turns: " + maxTurns + " (expected: >= 2)");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("runnel.chat.history.bytes: " + maxBytes + " (expected: > 0)");
        }
        if (ttlMillis < 1) {
            throw new IllegalArgumentException("runnel.chat.history.ttl: " + ttlMillis + "ms (expected: > 0)");
        }
        this.maxTurns = maxTurns;
        this.maxBytes = maxBytes;
        this.ttlMillis = ttlMillis;
        this.maxConversations = maxConversations;
        this.clock = clock;
    }

    /** Starts a conversation owned by {@code owner}; returns its new id. */
    synchronized String start(String owner) {
        String id = Ids.random();
        byId.put(id, new Conversation(owner, clock.getAsLong()));
        Iterator<Map.Entry<String, Conversation>> eldest = byId.entrySet().iterator();
        while (byId.size() > maxConversations && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
        return id;
    }

    /**
     * The turns so far, oldest first.
     *
     * @throws ChatRefused 404 when there is no such conversation for {@code owner}
     */
    synchronized List<ChatModel.Message> history(String id, String owner) {
        return find(id, owner).turns.stream().toList();
    }

    /** Appends a turn (the user's question, the assistant's answer) and drops the oldest beyond the bounds. */
    synchronized void add(String id, ChatModel.Message turn) {
        Conversation c = byId.get(id);
        if (c == null) {
            return; // forgotten while the answer was written
        }
        c.turns.add(turn);
        c.bytes += bytes(turn);
        while (c.turns.size() > maxTurns || (c.bytes > maxBytes && c.turns.size() > 1)) {
            c.bytes -= bytes(c.turns.poll());
        }
        c.touchedMillis = clock.getAsLong();
    }

    /** Forgets the conversations idle longer than the time to live. */
    synchronized void sweep() {
        long now = clock.getAsLong();
        byId.values().removeIf(c -> now - c.touchedMillis > ttlMillis);
    }

    synchronized int size() {
        return byId.size();
    }

    private Conversation find(String id, String owner) {
        Conversation c = byId.get(id);
        if (c == null || !c.owner.equals(owner) || clock.getAsLong() - c.touchedMillis > ttlMillis) {
            throw new ChatRefused(ChatRefused.Kind.NOT_FOUND, "no conversation \"" + id + "\" (conversations are "
                    + "started by POST /chat without one, belong to the credential that started them, and are "
                    + "forgotten after runnel.chat.history.ttl)");
        }
        return c;
    }

    private static long bytes(ChatModel.Message m) {
        return m.content().getBytes(StandardCharsets.UTF_8).length;
    }
}
