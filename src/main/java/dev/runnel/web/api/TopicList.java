package dev.runnel.web.api;

import dev.runnel.hub.TopicNames;
import dev.runnel.web.http.HttpError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The topics a request names ({@code ?topic=} of {@code /events}, the {@code topics} of
 * {@code /tickets}): each a valid name, repeats dropped, in the order given, 1 to
 * {@code runnel.subscribe.maxTopics} of them.
 *
 * <p>Threading: stateless.
 */
final class TopicList {
    private TopicList() {}

    /** The distinct topics of {@code names}; 400 naming {@code field} for a bad name or count. */
    static List<String> of(Iterable<String> names, String field, int max) {
        LinkedHashSet<String> topics = new LinkedHashSet<>();
        for (String name : names) {
            try {
                topics.add(TopicNames.check(name));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest(e.getMessage());
            }
        }
        if (topics.isEmpty()) {
            throw HttpError.badRequest(field + ": none (expected: 1 to " + max + " topic names)");
        }
        if (topics.size() > max) {
            throw HttpError.badRequest(field + ": " + topics.size() + " topics (expected: at most " + max
                    + ", runnel.subscribe.maxTopics)");
        }
        return new ArrayList<>(topics);
    }
}
