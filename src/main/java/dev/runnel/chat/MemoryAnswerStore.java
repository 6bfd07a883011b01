package dev.runnel.chat;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The in-memory {@link AnswerStore}: the last {@code capacity} answers (oldest first out) and the
 * idempotency keys bound within their time to live (at most {@code capacity} of them).
 *
 * <p>Threading: thread-safe; methods hold the instance's monitor briefly.
 */
public final class MemoryAnswerStore implements AnswerStore {
    private final int capacity;
    private final LongSupplier clock;
    private final Map<String, AnswerView> answers = new LinkedHashMap<>();  // guarded by this; oldest first
    private final Map<String, Keyed> keys = new LinkedHashMap<>();          // guarded by this; oldest first

    private record Keyed(Binding binding, long expiresMillis) {}

    public MemoryAnswerStore(int capacity, LongSupplier clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    @Override
    public synchronized void save(AnswerView answer) {
        answers.put(answer.id(), answer);
        trim(answers);
    }

    @Override
    public synchronized Optional<AnswerView> find(String id) {
        return Optional.ofNullable(answers.get(id));
    }

    @Override
    public synchronized Binding bind(String key, String fingerprint, String answerId, long ttlMillis) {
        long now = clock.getAsLong();
        Keyed existing = keys.get(key);
        if (existing != null && existing.expiresMillis() > now) {
            return existing.binding();
        }
        Binding binding = new Binding(answerId, fingerprint);
        keys.remove(key);
        keys.put(key, new Keyed(binding, now + ttlMillis));
        trim(keys);
        return binding;
    }

    @Override
    public synchronized void unbind(String key, String answerId) {
        Keyed k = keys.get(key);
        if (k != null && k.binding().answerId().equals(answerId)) {
            keys.remove(key);
        }
    }

    @Override
    public synchronized void sweep() {
        long now = clock.getAsLong();
        keys.values().removeIf(k -> k.expiresMillis() <= now);
    }

    private void trim(Map<String, ?> map) {
        Iterator<String> eldest = map.keySet().iterator();
        while (map.size() > capacity && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }
}
