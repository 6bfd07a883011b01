package dev.runnel.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A word-level Markov chain of order two: trained on a text, it continues any two words with a word
 * that followed them in the text. Words keep their punctuation ({@code "river,"}), so the output has
 * sentences, commas and paragraph-sized rhythm without any grammar of its own.
 *
 * <p>Threading: immutable after construction; {@link #write} is safe from any thread.
 */
public final class MarkovChain {
    private static final Set<String> STOP_WORDS = Set.of("the", "and", "that", "with", "this", "from", "what",
            "have", "there", "their", "about", "would", "could", "which", "when", "where", "your", "does", "into",
            "tell", "please", "explain", "write", "some", "more", "just", "like", "they", "them", "then", "than",
            "will", "shall", "been", "were", "also", "very", "much", "many", "should", "might", "make");

    private final Map<String, List<String>> next = new HashMap<>(); // "w1 w2" -> followers
    private final List<String[]> starts = new ArrayList<>();         // pairs that open a sentence
    private final Map<String, List<String[]>> byWord = new HashMap<>(); // lower-case word -> pairs it opens

    private MarkovChain(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length < 3) {
            throw new IllegalArgumentException("text: " + words.length + " words (expected: at least 3)");
        }
        for (int i = 0; i + 2 < words.length; i++) {
            String key = words[i] + ' ' + words[i + 1];
            next.computeIfAbsent(key, k -> new ArrayList<>()).add(words[i + 2]);
            String[] pair = {words[i], words[i + 1]};
            if (i == 0 || endsSentence(words[i - 1])) {
                starts.add(pair);
            }
            byWord.computeIfAbsent(normal(words[i]), k -> new ArrayList<>()).add(pair);
        }
        if (starts.isEmpty()) {
            starts.add(new String[] {words[0], words[1]});
        }
    }

    public static MarkovChain train(String text) {
        return new MarkovChain(text);
    }

    /** Trains on a UTF-8 resource of the class path; {@code #} lines are comments. */
    public static MarkovChain fromResource(String name) {
        try (InputStream in = MarkovChain.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the class path");
            }
            StringBuilder text = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#")) {
                    text.append(line).append('\n');
                }
            }
            return new MarkovChain(text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Distinct word pairs learned. */
    public int size() {
        return next.size();
    }

    /**
     * Writes at least {@code minWords} words, ending at the end of a sentence, starting where the
     * prompt's first meaningful word occurs in the text when it does. Paragraphs are separated by
     * {@code "\n\n"}.
     */
    public String write(String prompt, int minWords, Random random) {
        List<String> out = new ArrayList<>();
        String[] pair = startFor(prompt, random);
        out.add(capitalize(pair[0]));
        out.add(pair[1]);
        int hardLimit = minWords * 3 + 50;
        while (out.size() < hardLimit) {
            List<String> followers = next.get(pair[0] + ' ' + pair[1]);
            String last = out.get(out.size() - 1);
            if (endsSentence(last) && out.size() >= minWords) {
                break;
            }
            if (followers == null) { // the end of the text: start a new sentence
                if (!endsSentence(last)) {
                    out.set(out.size() - 1, last + ".");
                    if (out.size() >= minWords) {
                        break;
                    }
                }
                pair = starts.get(random.nextInt(starts.size()));
                out.add(pair[0]);
                out.add(pair[1]);
                continue;
            }
            String word = followers.get(random.nextInt(followers.size()));
            out.add(word);
            pair = new String[] {pair[1], word};
        }
        StringBuilder text = new StringBuilder();
        int sentences = 0;
        for (int i = 0; i < out.size(); i++) {
            String word = out.get(i);
            if (i > 0) {
                text.append(sentences > 0 && sentences % 4 == 0 && endsSentence(out.get(i - 1)) ? "\n\n" : " ");
            }
            text.append(word);
            if (endsSentence(word)) {
                sentences++;
            }
        }
        String result = text.toString();
        return endsSentence(result) ? result : result + ".";
    }

    private String[] startFor(String prompt, Random random) {
        if (prompt != null) {
            for (String raw : prompt.split("[^\\p{L}\\p{N}'-]+")) {
                String word = raw.toLowerCase(Locale.ROOT);
                if (word.length() < 4 || STOP_WORDS.contains(word)) {
                    continue;
                }
                List<String[]> pairs = byWord.get(word);
                if (pairs == null && word.endsWith("s")) {
                    pairs = byWord.get(word.substring(0, word.length() - 1));
                }
                if (pairs != null) {
                    return pairs.get(random.nextInt(pairs.size()));
                }
            }
        }
        return starts.get(random.nextInt(starts.size()));
    }

    private static String normal(String word) {
        return word.replaceAll("[^\\p{L}\\p{N}'-]", "").toLowerCase(Locale.ROOT);
    }

    static boolean endsSentence(String word) {
        if (word.isEmpty()) {
            return false;
        }
        char c = word.charAt(word.length() - 1);
        if (c == '"' || c == '\u201d' || c == ')') {
            return word.length() > 1 && endsSentence(word.substring(0, word.length() - 1));
        }
        return c == '.' || c == '!' || c == '?';
    }

    private static String capitalize(String word) {
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
