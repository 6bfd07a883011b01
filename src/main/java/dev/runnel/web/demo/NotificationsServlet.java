package dev.runnel.web.demo;

import dev.runnel.feed.NotificationFeed;
import dev.runnel.feed.NotificationFeed.Notification;
import dev.runnel.feed.NotificationFeed.Sent;
import dev.runnel.web.api.Refusals;
import dev.runnel.web.auth.Access;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import dev.runnel.web.limits.RateLimiter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /notifications} {@code {"title","body","level","user"?}}: sends a notification to
 * everyone (topic {@code notifications}) or to one user ({@code users/<user>/notifications}); answers
 * {@code 200 {"id","topic"}}. Every send passes the {@link DemoGate}. A user's topic is private, and
 * writing into it takes what {@code POST /publish} takes: a publisher credential ({@link Access#publisher};
 * 401 without one) that grants the topic (403 otherwise), within its rate ({@code runnel.publish.rate}).
 * So a cross-site form post, which carries no credential, writes into no one's topic.
 *
 * <p>Threading: container threads.
 */
public final class NotificationsServlet extends FeedServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("title", "body", "level", "user");

    private final transient NotificationFeed notifications;
    private final transient DemoGate gate;
    private final transient Access access;
    private final transient RateLimiter publishRate;
    private final long maxBodyBytes;

    public NotificationsServlet(NotificationFeed notifications, DemoGate gate, Access access, RateLimiter publishRate,
            long maxBodyBytes) {
        super("POST");
        this.notifications = notifications;
        this.gate = gate;
        this.access = access;
        this.publishRate = publishRate;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        JsonBody body = JsonBody.read(req, maxBodyBytes, FIELDS);
        String user = body.string("user");
        Notification notification = call(resp, () -> new Notification(body.string("title"), body.string("body"),
                body.string("level"), user == null || user.isBlank() ? null : user));
        if (notification.user() != null) {
            String topic = NotificationFeed.userTopic(notification.user());
            Access.Publisher publisher = access.publisher(req);
            if (!publisher.grants().mayPublish(topic)) {
                throw new HttpError(403, "forbidden", "the credential does not grant publishing to \"" + topic + "\"");
            }
            publishRate.charge(publisher.key(), 1, "this credential publishes faster than runnel.publish.rate allows");
        }
        CompletionStage<Sent> sent = call(resp, () -> gate.admit(req, 1, client -> notifications.send(notification)));
        answerWhenDone(req, resp, sent, NotificationsServlet::answer);
    }

    private static void answer(HttpServletResponse resp, Sent sent) throws IOException {
        if (!sent.receipt().isAccepted()) {
            throw Refusals.of(sent.receipt());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", sent.receipt().id());
        json.put("topic", sent.topic());
        sendJson(resp, 200, json);
    }
}
