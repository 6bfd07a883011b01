package dev.runnel.web.auth;

import dev.runnel.hub.TopicNames;
import dev.runnel.web.http.ClientAddress;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Who may publish and who may subscribe to private topics.
 *
 * <p>Publishers present {@code Authorization: Bearer} with the shared {@code runnel.publish.secret}
 * (every topic) or a signed token whose {@code pub} claim lists topics and prefixes. Nothing else is a
 * credential, unless {@code runnel.publish.allowLoopback} is on: then a request straight from this
 * machine ({@link ClientAddress#isLoopback}: never one a proxy passed on) publishes without one.
 *
 * <p>Private topics ({@code users/…} and the prefixes of {@code runnel.private}) need a subscriber
 * token whose {@code topics} claim grants them, from a one-time {@code ticket} query parameter,
 * {@code Authorization: Bearer} or the {@code runnel.auth.cookie} cookie, in that order. Public
 * topics need nothing, whatever credential comes along.
 *
 * <p>Operators present {@code Authorization: Bearer} with {@code runnel.admin.secret} or a signed token
 * with {@code admin: true} ({@link #admin}): for {@code /metrics}, {@code /stats} and the admin
 * endpoints. The admin credential also publishes to and subscribes to every topic. The topics under
 * {@value #ADMIN_TOPICS} are Runnel's own (the admin console's feed): private, open to an admin
 * credential only (or a ticket one issued), and published by the server alone.
 *
 * <p>Threading: thread-safe.
 */
public final class Access {
    /** Always private: each user's own topics. */
    public static final String USERS = "users/";
    /** Runnel's own topics (the admin console's feed): admin only, never published over HTTP. */
    public static final String ADMIN_TOPICS = "runnel/admin/";

    private final String publishSecret;
    private final String adminSecret;
    private final TokenVerifier tokens;
    private final TicketStore tickets;
    private final List<String> privatePrefixes;
    private final String cookie;
    private final boolean allowLoopback;
    private final ClientAddress clients;

    /** A publisher's credential: {@code key} names it for rate limiting. */
    public record Publisher(String key, Grants grants) {}

    /** A subscriber's verified token and the key its tickets are counted under (its subject, else its digest). */
    public record Holder(String key, Grants grants) {}

    /**
     * What a subscriber presented, as it came (nothing checked yet): the {@code ticket} query parameter,
     * the {@code Authorization} header and the token cookie, each null when absent. Taken from an HTTP
     * request when the subscription starts there, or from a WebSocket handshake whose topics come later.
     */
    public record Credentials(String ticket, String authorization, String cookie) {}

    /** @param adminSecret {@code runnel.admin.secret}, or null */
    public Access(String publishSecret, String adminSecret, boolean allowLoopback, TokenVerifier tokens,
            TicketStore tickets, List<String> privateTopics, String cookie, ClientAddress clients) {
        this.publishSecret = publishSecret;
        this.adminSecret = adminSecret;
        this.allowLoopback = allowLoopback;
        this.clients = clients;
        this.tokens = tokens;
        this.tickets = tickets;
        List<String> prefixes = new ArrayList<>();
        prefixes.add(USERS);
        prefixes.add(ADMIN_TOPICS);
        prefixes.addAll(privateTopics);
        for (String p : prefixes) {
            if (!Grants.isEntry(p)) {
                throw new IllegalArgumentException("runnel.private: \"" + p + "\" (expected: topic prefixes)");
            }
        }
        this.privatePrefixes = List.copyOf(prefixes);
        this.cookie = cookie;
    }

    TokenVerifier tokens() {
        return tokens;
    }

    /** Whether a request without a credential may publish in some case (for the start-up warning). */
    public boolean publishesWithoutCredential() {
        return allowLoopback;
    }

    public TicketStore tickets() {
        return tickets;
    }

    /** Private when a private prefix covers it ({@link TopicNames#covers}). */
    public boolean isPrivate(String topic) {
        for (String p : privatePrefixes) {
            if (TopicNames.covers(p, topic)) {
                return true;
            }
        }
        return false;
    }

    /** One of Runnel's own topics ({@value #ADMIN_TOPICS}): only the server publishes there. */
    public boolean isReserved(String topic) {
        return TopicNames.covers(ADMIN_TOPICS, topic);
    }

    /**
     * Whether {@code grants} (a token's or the admin secret's, not a ticket's) open {@code topic}: a
     * reserved topic needs an admin credential, another private topic a grant, a public topic nothing.
     */
    public boolean mayOpen(Grants grants, String topic) {
        if (isReserved(topic)) {
            return grants.admin();
        }
        return !isPrivate(topic) || grants.maySubscribe(topic);
    }

    /**
     * Authenticates an operator: {@code Authorization: Bearer} with {@code runnel.admin.secret} or a
     * signed token with {@code admin: true}. Throws 401 without one or with a bad one, 403 for a valid
     * token that is not an operator's.
     */
    public Grants admin(HttpServletRequest req) {
        String bearer = bearer(req);
        if (bearer == null) {
            throw unauthorized(adminSecret == null && !tokens.isConfigured()
                    ? "this needs the admin credential, and this server accepts none yet: configure runnel.admin.secret "
                            + "or a token key (runnel.jwt.*), then send Authorization: Bearer <credential>"
                    : "this needs the admin credential: Authorization: Bearer <runnel.admin.secret or a signed token "
                            + "with admin: true>");
        }
        if (isAdminSecret(bearer)) {
            return Grants.ADMIN;
        }
        if (!tokens.isConfigured()) {
            throw unauthorized("the bearer credential is not the admin secret");
        }
        Grants grants = verify(bearer);
        if (!grants.admin()) {
            throw new HttpError(403, "forbidden", "the token does not make its bearer an operator (expected: admin: true)");
        }
        return grants;
    }

    private boolean isAdminSecret(String credential) {
        return adminSecret != null && MessageDigest.isEqual(credential.getBytes(StandardCharsets.UTF_8),
                adminSecret.getBytes(StandardCharsets.UTF_8));
    }

    /** Authenticates a publisher; throws 401 (no or a bad credential) or 403 (not allowed at all). */
    public Publisher publisher(HttpServletRequest req) {
        String bearer = bearer(req);
        if (bearer == null) {
            if (allowLoopback && clients.isLoopback(req)) {
                return new Publisher("address:" + clients.of(req), Grants.EVERYTHING);
            }
            throw unauthorized(publishSecret == null && !tokens.isConfigured()
                    ? "publishing needs a credential, and this server accepts none yet: configure runnel.publish.secret "
                            + "or a token key (runnel.jwt.*), then send Authorization: Bearer <credential>"
                    : "publishing needs Authorization: Bearer <runnel.publish.secret or a signed token>");
        }
        if (publishSecret != null && MessageDigest.isEqual(bearer.getBytes(StandardCharsets.UTF_8),
                publishSecret.getBytes(StandardCharsets.UTF_8))) {
            return new Publisher("secret", Grants.EVERYTHING);
        }
        if (isAdminSecret(bearer)) {
            return new Publisher("admin", Grants.ADMIN);
        }
        if (!tokens.isConfigured()) {
            throw unauthorized("the bearer credential is not the publish secret");
        }
        Grants grants = verify(bearer);
        if (grants.publish() == null && !grants.admin()) {
            throw new HttpError(403, "forbidden", "the token grants no publishing (expected: a pub claim)");
        }
        return new Publisher(holderKey(grants, bearer), grants);
    }

    /**
     * Who calls a chat endpoint, as the chat gateway names callers: {@code secret} for the publish
     * secret, {@code sub:<subject>} (or a digest of the token) for a token whose {@code chat} claim is
     * true, read from {@code Authorization: Bearer} or the cookie; {@code anonymous} without a
     * credential, when {@code required} is false (the offline model, which reads no cookie). A
     * credential that is read is always checked: 401 when it is bad, 403 when a valid token lacks the claim.
     */
    public String chatCaller(HttpServletRequest req, boolean required) {
        // Without an upstream only an explicit bearer counts: a cookie is ambient, and one meant for
        // another application on the same host must not lock anyone out of the offline demo.
        String token = required ? token(req) : bearer(req);
        if (token == null) {
            if (required) {
                throw unauthorized("answers are written by the upstream model, which needs a credential: "
                        + "Authorization: Bearer <runnel.publish.secret, or a token whose \"chat\" claim is true>");
            }
            return "anonymous";
        }
        if (publishSecret != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                publishSecret.getBytes(StandardCharsets.UTF_8))) {
            return "secret";
        }
        if (!tokens.isConfigured()) {
            throw unauthorized("the bearer credential is not the publish secret");
        }
        Grants grants = verify(token);
        if (!grants.chat()) {
            throw new HttpError(403, "forbidden", "the token does not grant chat (expected: a \"chat\": true claim)");
        }
        return holderKey(grants, token);
    }

    /** Keyed by subject, so one subject's tokens share a budget; without one, by a digest of the token. */
    private static String holderKey(Grants grants, String token) {
        return grants.subject() != null ? "sub:" + grants.subject() : "token:" + HexFormat.of().formatHex(Sha256.of(token));
    }

    /**
     * Authorizes a subscription. Returns null when no topic is private (no credential needed, no
     * deadline), else the grants that allowed it, whose expiry ends the stream. A ticket is used up.
     */
    public Grants subscriber(HttpServletRequest req, List<String> topics) {
        return subscriber(credentials(req), topics, true);
    }

    /** What {@link #subscriber} would answer, leaving a ticket unused (for {@code HEAD}). */
    public Grants checkSubscriber(HttpServletRequest req, List<String> topics) {
        return subscriber(credentials(req), topics, false);
    }

    /** Like {@link #subscriber(HttpServletRequest, List)}, for credentials taken earlier (a WebSocket handshake). */
    public Grants subscriber(Credentials credentials, List<String> topics) {
        return subscriber(credentials, topics, true);
    }

    /** What {@code req} presents as a subscriber's credentials; nothing is checked yet. */
    public Credentials credentials(HttpServletRequest req) {
        return new Credentials(req.getParameter("ticket"), req.getHeader("Authorization"), cookie(req));
    }

    private Grants subscriber(Credentials presented, List<String> topics, boolean redeem) {
        String denied = null;
        for (String topic : topics) {
            if (isPrivate(topic)) {
                denied = topic;
                break;
            }
        }
        if (denied == null) {
            return null;
        }
        Grants grants;
        String ticket = presented.ticket();
        if (ticket != null) {
            TicketStore.Ticket t = redeem ? tickets.redeem(ticket) : tickets.peek(ticket);
            if (t == null) {
                throw unauthorized("the ticket is unknown, expired or already used (a ticket opens one stream within "
                        + tickets.ttlSeconds() + "s of POST /tickets)");
            }
            grants = new Grants(null, null, t.topics(), t.expiresMillis());
        } else {
            String bearer = bearer(presented.authorization());
            String token = bearer != null ? bearer : presented.cookie();
            if (token == null) {
                throw unauthorized("topic \"" + denied + "\" is private: send a token (Authorization: Bearer, or the "
                        + cookie + " cookie) or a ticket (?ticket= from POST /tickets)");
            }
            grants = credential(token);
        }
        for (String topic : topics) {
            // A ticket names exactly what it opens, checked when it was issued.
            boolean granted = ticket != null ? !isPrivate(topic) || grants.maySubscribe(topic) : mayOpen(grants, topic);
            if (!granted) {
                throw new HttpError(403, "forbidden", "topic \"" + topic + "\" is not granted to this "
                        + (ticket != null ? "ticket" : "token (claim topics)"));
            }
        }
        return grants;
    }

    /** A token from {@code Authorization: Bearer} or the cookie; throws 401 when there is none or it is bad. */
    public Holder subscriberToken(HttpServletRequest req) {
        String token = token(req);
        if (token == null) {
            throw unauthorized("a ticket needs a token: Authorization: Bearer <token>, or the " + cookie + " cookie");
        }
        Grants grants = credential(token);
        return new Holder(holderKey(grants, token), grants);
    }

    /** A subscriber's credential: the admin secret, or a token to verify. */
    private Grants credential(String token) {
        return isAdminSecret(token) ? Grants.ADMIN : verify(token);
    }

    private Grants verify(String token) {
        try {
            return tokens.verify(token);
        } catch (TokenVerifier.Rejected e) {
            throw new HttpError(401, "invalid-token", e.getMessage()).withReason(e.reason)
                    .withHeader("WWW-Authenticate", "Bearer realm=\"runnel\", error=\"invalid_token\", error_description=\""
                            + e.reason + "\"");
        } catch (TokenVerifier.KeysUnavailable e) {
            throw new HttpError(503, "keys-unavailable", e.getMessage()).withHeader("Retry-After", "5");
        }
    }

    /** A subscriber's token: from {@code Authorization: Bearer}, else from the cookie; null with neither. */
    private String token(HttpServletRequest req) {
        String bearer = bearer(req);
        return bearer != null ? bearer : cookie(req);
    }

    /** The credential of {@code Authorization: Bearer x}, null without the header; 401 for another scheme. */
    private static String bearer(HttpServletRequest req) {
        return bearer(req.getHeader("Authorization"));
    }

    /** The credential of an {@code Authorization} header's value {@code Bearer x}; null for null; 401 otherwise. */
    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        if (header.length() < 7 || !header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")
                || header.substring(7).isBlank()) {
            throw unauthorized("Authorization: expected Bearer <credential>");
        }
        return header.substring(7).strip();
    }

    private String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (c.getName().equals(cookie) && c.getValue() != null && !c.getValue().isEmpty()) {
                return c.getValue();
            }
        }
        return null;
    }

    private static HttpError unauthorized(String detail) {
        return new HttpError(401, "unauthorized", detail)
                .withHeader("WWW-Authenticate", "Bearer realm=\"runnel\"");
    }
}
