package dev.runnel.feed;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Receipt;
import java.util.concurrent.CompletionStage;
import dev.runnel.hub.Publication;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Notifications: event {@code notification} on the broadcast topic {@code notifications}, or on one
 * user's topic {@code users/<user>/notifications}.
 * <pre>
 * event: notification
 * data: {"title":"Build finished","body":"main is green","level":"success","user":"alice","time":"…"}
 * </pre>
 * The mapping between users and topics lives here ({@link #userTopic}, {@link #userOf}) so that an
 * access check in front of the stream endpoint can tell whose topic a subscription names.
 *
 * <p>Threading: thread-safe (stateless apart from the hub).
 */
public final class NotificationFeed {
    public static final String BROADCAST_TOPIC = "notifications";
    public static final String EVENT = "notification";
    public static final Set<String> LEVELS = Set.of("info", "success", "warning", "error");
    public static final int MAX_TITLE = 120;
    public static final int MAX_BODY = 2000;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._~-]{1,64}");
    private static final Pattern USER_TOPIC = Pattern.compile("users/([A-Za-z0-9._~-]{1,64})/notifications");

    /** A notification to send; {@code user} null means everyone. Validated on construction. */
    public record Notification(String title, String body, String level, String user) {
        public Notification {
            if (title == null || title.isBlank()) {
                throw new IllegalArgumentException("title: missing (expected: 1 to " + MAX_TITLE + " characters)");
            }
            if (title.length() > MAX_TITLE) {
                throw new IllegalArgumentException("title: " + title.length() + " characters (expected: at most "
                        + MAX_TITLE + ")");
            }
            body = body == null ? "" : body;
            if (body.length() > MAX_BODY) {
                throw new IllegalArgumentException("body: " + body.length() + " characters (expected: at most "
                        + MAX_BODY + ")");
            }
            level = level == null ? "info" : level;
            if (!LEVELS.contains(level)) {
                throw new IllegalArgumentException("level: \"" + level + "\" (expected: info, success, warning or error)");
            }
            if (user != null && !USER.matcher(user).matches()) {
                throw new IllegalArgumentException("user: \"" + user + "\" (expected: 1 to 64 of A-Z a-z 0-9 . _ ~ -)");
            }
        }
    }

    /** What became of a notification: the hub's receipt (its id when accepted) and the topic it was for. */
    public record Sent(Receipt receipt, String topic) {}

    private final Hub hub;

    public NotificationFeed(Hub hub) {
        this.hub = hub;
    }

    /**
     * Publishes a notification. The answer comes once the hub has logged it, or with its refusal (an
     * {@link Receipt} that is not accepted, which the caller answers as such).
     */
    public CompletionStage<Sent> send(Notification n) {
        String topic = n.user() == null ? BROADCAST_TOPIC : userTopic(n.user());
        JsonObject data = new JsonObject();
        data.addProperty("title", n.title());
        data.addProperty("body", n.body());
        data.addProperty("level", n.level());
        if (n.user() != null) {
            data.addProperty("user", n.user());
        }
        data.addProperty("time", Instant.now().toString());
        return hub.publish(new Publication(topic, EVENT, data.toString(), null, false))
                .thenApply(receipt -> new Sent(receipt, topic));
    }

    /** The topic of one user's notifications. */
    public static String userTopic(String user) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user: \"" + user + "\" (expected: 1 to 64 of A-Z a-z 0-9 . _ ~ -)");
        }
        return "users/" + user + "/notifications";
    }

    /** The user whose notification topic this is, or empty for any other topic. */
    public static Optional<String> userOf(String topic) {
        Matcher m = USER_TOPIC.matcher(topic);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
