package dev.runnel.web.demo;

import dev.runnel.feed.NotificationFeed;
import dev.runnel.feed.NotificationFeed.Notification;
import dev.runnel.feed.NotificationFeed.Sent;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /notifications} {@code {"title","body","level","user"?}}: sends a notification to
 * everyone (topic {@code notifications}) or to one user ({@code users/<user>/notifications}); answers
 * {@code 200 {"id","topic"}}.
 *
 * <p>Threading: container threads.
 */
public final class NotificationsServlet extends FeedServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("title", "body", "level", "user");

    private final transient NotificationFeed notifications;
    private final long maxBodyBytes;

    public NotificationsServlet(NotificationFeed notifications, long maxBodyBytes) {
        super("POST");
        this.notifications = notifications;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        JsonBody body = JsonBody.read(req, maxBodyBytes, FIELDS);
        String user = body.string("user");
        Sent sent = call(resp, () -> notifications.send(new Notification(body.string("title"), body.string("body"),
                body.string("level"), user == null || user.isBlank() ? null : user)));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", sent.id());
        json.put("topic", sent.topic());
        sendJson(resp, 200, json);
    }
}
