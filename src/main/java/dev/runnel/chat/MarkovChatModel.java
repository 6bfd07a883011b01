package dev.runnel.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built-in, offline {@link ChatModel}: a {@link MarkovChain} writes the answer, which is then cut
 * into sub-word tokens (a leading space with the first letters of a word, the rest of a long word in
 * short pieces, punctuation on its own) and played out at {@code tokensPerSecond} on the scheduler,
 * the way a hosted model streams.
 *
 * <p>Threading: {@link #generate} from any thread; tokens are emitted by the scheduler thread.
 */
public final class MarkovChatModel implements ChatModel {
    private final MarkovChain chain;
    private final ScheduledExecutorService scheduler;
    private final long periodNanos;
    private final int maxTokens;
    private final Random random;

    public MarkovChatModel(MarkovChain chain, ScheduledExecutorService scheduler, int tokensPerSecond, int maxTokens,
            Random random) {
        if (tokensPerSecond < 1) {
            throw new IllegalArgumentException("runnel.chat.tokensPerSecond: " + tokensPerSecond + " (expected: >= 1)");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("runnel.chat.maxTokens: " + maxTokens + " (expected: >= 1)");
        }
        this.chain = chain;
        this.scheduler = scheduler;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / tokensPerSecond;
        this.maxTokens = maxTokens;
        this.random = random;
    }

    /** The name {@code GET /v1/models} lists for it. */
    public static final String NAME = "runnel-markov";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Generation generate(Prompt request, Sink sink) {
        int minWords;
        String text;
        synchronized (random) {
            minWords = 45 + random.nextInt(70);
            text = chain.write(request.prompt(), minWords, random);
        }
        List<String> tokens = tokenize(text);
        int limit = Math.min(maxTokens, request.maxTokens());
        String finishReason = tokens.size() > limit ? "length" : "stop";
        List<String> answer = tokens.size() > limit ? tokens.subList(0, limit) : tokens;
        int promptTokens = 0;
        for (Message m : request.messages()) {
            promptTokens += tokenize(m.content()).size();
        }
        return new Playback(answer, finishReason, promptTokens, sink).start();
    }

    /** Plays a prepared answer out, one token per period. */
    private final class Playback implements Generation {
        private final List<String> tokens;
        private final String finishReason;
        private final int promptTokens;
        private final Sink sink;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private volatile int next; // written by the scheduler thread only
        private volatile ScheduledFuture<?> future;

        Playback(List<String> tokens, String finishReason, int promptTokens, Sink sink) {
            this.tokens = tokens;
            this.finishReason = finishReason;
            this.promptTokens = promptTokens;
            this.sink = sink;
        }

        Playback start() {
            future = scheduler.scheduleAtFixedRate(this::emitGuarded, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            if (stopped.get()) {
                future.cancel(false);
            }
            return this;
        }

        /** A failure is the answer's, not the scheduler's: the answer fails, the schedule ends. */
        private void emitGuarded() {
            try {
                emit();
            } catch (RuntimeException e) {
                cancel();
                sink.failed(Failure.of(Failure.UPSTREAM_ERROR, "the built-in model failed: " + e));
            }
        }

        private void emit() {
            if (stopped.get()) {
                return;
            }
            if (next < tokens.size()) {
                sink.content(tokens.get(next));
                next++;
                return;
            }
            if (stopped.compareAndSet(false, true)) {
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
                sink.finished(finishReason, usageSoFar());
            }
        }

        @Override
        public Usage usageSoFar() {
            return Usage.of(promptTokens, next);
        }

        @Override
        public void cancel() {
            if (stopped.compareAndSet(false, true)) {
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
            }
        }
    }

    /** Cuts text into sub-word tokens that join back into exactly the same text. */
    static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i - start > 1 || (i > start && text.charAt(start) != ' ')) {
                tokens.add(text.substring(start, i)); // paragraph breaks travel as their own token
                start = i;
            }
            int wordStart = i;
            while (i < text.length() && Character.isLetterOrDigit(text.charAt(i))) {
                i++;
            }
            if (i > wordStart) {
                splitWord(text.substring(start, i), i - wordStart, tokens);
            } else if (i < text.length()) {
                i++; // punctuation: one character, with the space before it if any
                tokens.add(text.substring(start, i));
            } else if (i > start) {
                tokens.add(text.substring(start, i));
            }
        }
        return tokens;
    }

    /** {@code piece} is an optional space and a word of {@code letters} letters. */
    private static void splitWord(String piece, int letters, List<String> tokens) {
        if (letters <= 6) {
            tokens.add(piece);
            return;
        }
        int lead = piece.length() - letters + 4; // the space and four letters
        tokens.add(piece.substring(0, lead));
        for (int at = lead; at < piece.length(); at += 3) {
            tokens.add(piece.substring(at, Math.min(piece.length(), at + 3)));
        }
    }
}
