package dev.runnel.web.auth;

import dev.runnel.hub.TopicNames;
import java.util.List;

/**
 * What a verified credential may do: the topics it may publish to and the private topics it may
 * subscribe to. Each entry follows the prefix rule of every topic setting ({@link TopicNames#covers}):
 * one ending in {@code /} grants the topics below it ({@code users/alice/} grants
 * {@code users/alice/inbox}), any other that topic and the topics below it ({@code weather} grants
 * {@code weather} and {@code weather/oslo}).
 *
 * @param subject       the token's {@code sub}, or null
 * @param publish       the {@code pub} claim
 * @param subscribe     the {@code topics} claim
 * @param expiresMillis when the credential stops being accepted (its {@code exp} plus the clock
 *                      skew), epoch milliseconds; {@link Long#MAX_VALUE} for a credential that
 *                      does not expire (the shared secret)
 * @param chat          the {@code chat} claim: the bearer may start answers on the upstream model
 * @param admin         an operator's credential ({@code runnel.admin.secret}, or a token with
 *                      {@code admin: true}): {@code /metrics}, {@code /stats}, the admin endpoints and
 *                      console, and every topic, to publish (the reserved {@code runnel/admin/} ones
 *                      excepted) and to subscribe
 */
public record Grants(String subject, List<String> publish, List<String> subscribe, long expiresMillis, boolean chat,
        boolean admin) {
    /** The shared secret and trusted loopback publishers: every topic, no expiry. */
    static final Grants EVERYTHING = new Grants(null, null, null, Long.MAX_VALUE, true, false);
    /** The admin secret: an operator, no expiry; it starts no chat answers (a token's chat claim does). */
    static final Grants ADMIN = new Grants("admin", null, null, Long.MAX_VALUE, false, true);

    /** Grants without the {@code chat} claim, not an operator's. */
    public Grants(String subject, List<String> publish, List<String> subscribe, long expiresMillis) {
        this(subject, publish, subscribe, expiresMillis, false, false);
    }

    public Grants {
        publish = publish == null ? null : List.copyOf(publish);
        subscribe = subscribe == null ? null : List.copyOf(subscribe);
    }

    public boolean mayPublish(String topic) {
        if (admin) {
            return true;
        }
        return publish == null ? this == EVERYTHING : matchesAny(publish, topic);
    }

    public boolean maySubscribe(String topic) {
        return admin || subscribe != null && matchesAny(subscribe, topic);
    }

    private static boolean matchesAny(List<String> entries, String topic) {
        for (String entry : entries) {
            if (TopicNames.covers(entry, topic)) {
                return true;
            }
        }
        return false;
    }

    /** True for a topic name or a prefix ending in {@code /} whose part before it is a topic name. */
    static boolean isEntry(String entry) {
        String name = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
        return TopicNames.isValid(name);
    }
}
