package dev.runnel.hub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Maps topic names to their {@link TopicKind} by prefix. A prefix ending in {@code /} matches the
 * topics below it ({@code tasks/} matches {@code tasks/42}); any other prefix matches that topic and
 * the topics below it ({@code stocks} matches {@code stocks} and {@code stocks/eu}). The longest
 * matching prefix wins; a topic no prefix matches is a {@link TopicKind#STREAM} topic.
 *
 * <p>Threading: immutable.
 */
public final class TopicKinds {
    private final List<Rule> rules;

    private record Rule(String prefix, TopicKind kind) {
        boolean matches(String topic) {
            return TopicNames.covers(prefix, topic);
        }
    }

    private TopicKinds(List<Rule> rules) {
        this.rules = rules;
    }

    /** Builds the mapping from prefix lists; blank entries are ignored. */
    public static TopicKinds of(Collection<String> statePrefixes, Collection<String> finitePrefixes) {
        List<Rule> rules = new ArrayList<>();
        add(rules, statePrefixes, TopicKind.STATE);
        add(rules, finitePrefixes, TopicKind.FINITE);
        rules.sort(Comparator.comparingInt((Rule r) -> r.prefix().length()).reversed());
        return new TopicKinds(List.copyOf(rules));
    }

    /** Every topic is a stream topic. */
    public static TopicKinds allStreams() {
        return new TopicKinds(List.of());
    }

    private static void add(List<Rule> rules, Collection<String> prefixes, TopicKind kind) {
        for (String raw : prefixes) {
            String prefix = raw.strip();
            if (prefix.isEmpty()) {
                continue;
            }
            String name = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            TopicNames.check(name);
            rules.add(new Rule(prefix, kind));
        }
    }

    public TopicKind kindOf(String topic) {
        for (Rule rule : rules) {
            if (rule.matches(topic)) {
                return rule.kind();
            }
        }
        return TopicKind.STREAM;
    }
}
