package dev.runnel.chat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A question to {@link ChatGateway#ask}, and its checks against the gateway's limits.
 *
 * @param prompt         the user's message ({@code POST /chat}); or null, with {@code messages}
 * @param conversation   the conversation it continues, or null to start one ({@code POST /chat})
 * @param messages       the whole conversation as the client keeps it ({@code /v1/chat/completions}), or null
 * @param maxTokens      the longest answer wanted, or null for the configured limit
 * @param idempotencyKey the {@code Idempotency-Key} header, or null
 *
 * <p>Threading: immutable.
 */
public record Question(String prompt, String conversation, List<ChatModel.Message> messages, Integer maxTokens,
        String idempotencyKey) {

    public static Question of(String prompt, String conversation) {
        return new Question(prompt, conversation, null, null, null);
    }

    /** The messages the caller sent, checked against the size limit. */
    List<ChatModel.Message> checked(ChatGateway.Limits limits) {
        List<ChatModel.Message> given;
        if (messages != null) {
            if (prompt != null || conversation != null) {
                throw new ChatRefused(ChatRefused.Kind.BAD_REQUEST, "give messages, or a prompt and a conversation");
            }
            given = messages;
            if (given.isEmpty() || !given.get(given.size() - 1).role().equals("user")) {
                throw new ChatRefused(ChatRefused.Kind.BAD_REQUEST, "messages: expected at least one, the last with "
                        + "role \"user\"");
            }
        } else {
            if (prompt == null || prompt.isBlank()) {
                throw new ChatRefused(ChatRefused.Kind.BAD_REQUEST, "prompt: missing (expected: the question, up to "
                        + limits.maxPromptBytes() + " bytes)");
            }
            given = List.of(new ChatModel.Message("user", prompt));
        }
        long bytes = 0;
        for (ChatModel.Message m : given) {
            bytes += m.content().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > limits.maxPromptBytes()) {
            throw new ChatRefused(ChatRefused.Kind.TOO_LARGE, "prompt: " + bytes + " bytes (expected: at most "
                    + limits.maxPromptBytes() + ", runnel.chat.maxPromptBytes)");
        }
        return given;
    }

    int checkedMaxTokens(ChatGateway.Limits limits) {
        Integer asked = maxTokens;
        if (asked == null) {
            return limits.maxTokens();
        }
        if (asked < 1 || asked > limits.maxTokens()) {
            throw new ChatRefused(ChatRefused.Kind.BAD_REQUEST, "max_tokens: " + asked + " (expected: 1 to "
                    + limits.maxTokens() + ", runnel.chat.maxTokens)");
        }
        return asked;
    }

    /** A digest of the question, so that a key reused for another question is recognised. */
    String fingerprint(List<ChatModel.Message> given, int resolvedMaxTokens) {
        StringBuilder s = new StringBuilder().append(conversation).append('\u0000').append(resolvedMaxTokens);
        for (ChatModel.Message m : given) {
            s.append('\u0000').append(m.role()).append('\u0000').append(m.content());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
