package dev.runnel.chat;

import java.util.Optional;

/**
 * Where answers are kept for {@code GET /chat/<id>} and where idempotency keys are bound. An answer
 * is written on the node that accepted it; with a store shared between nodes, every node can show
 * it. {@link MemoryAnswerStore} is the single-node store.
 *
 * <p>Threading: implementations are thread-safe.
 */
public interface AnswerStore {

    /** Records the answer as it now is (at its start and at its end). */
    void save(AnswerView answer);

    Optional<AnswerView> find(String id);

    /**
     * Binds {@code key} to {@code answerId} for {@code ttlMillis} unless it is bound already.
     *
     * @param fingerprint what was asked, so that the same key with another question can be refused
     * @return the binding in force: this one, or the earlier one
     */
    Binding bind(String key, String fingerprint, String answerId, long ttlMillis);

    /** Undoes {@link #bind} of {@code key} to {@code answerId} (the answer could not start); else nothing. */
    void unbind(String key, String answerId);

    /** Drops what has expired. */
    void sweep();

    /** An idempotency key's answer. */
    record Binding(String answerId, String fingerprint) {}
}
