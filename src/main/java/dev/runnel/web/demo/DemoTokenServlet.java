package dev.runnel.web.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.feed.NotificationFeed;
import dev.runnel.hub.TopicNames;
import dev.runnel.web.auth.Access;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /demo/token} ({@code user=alice}, or {@code {"user": "alice"}}): a subscriber token
 * for any user, so the demo pages can log in as someone. It exists only with
 * {@code runnel.demo.tokens=true} (which {@code mvn jetty:run} sets) and must never be enabled in
 * production: it hands out every user's private topics. The token is an HS256 JWT granting
 * {@code users/<user>/} to subscribe and {@code users/<user>/notifications} to publish (so that the
 * notifications page can send to a user), valid for {@link #TTL_SECONDS}.
 *
 * <p>Threading: container threads.
 */
public final class DemoTokenServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final long TTL_SECONDS = 600;

    private final byte[] secret;
    private final String issuer;
    private final String audience;

    /**
     * @param secret   the HS256 key the tokens are signed with
     * @param issuer   the {@code iss} the tokens carry ({@code runnel.jwt.issuer}), or null
     * @param audience the {@code aud} the tokens carry ({@code runnel.jwt.audience}), or null
     */
    public DemoTokenServlet(byte[] secret, String issuer, String audience) {
        super("POST");
        this.secret = secret.clone();
        this.issuer = issuer;
        this.audience = audience;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, JsonElement> fields = JsonBody.fields(req, 1024, "1 KiB");
        for (String name : fields.keySet()) {
            if (!name.equals("user")) {
                throw HttpError.badRequest("unknown field \"" + name + "\" (expected: user)");
            }
        }
        String user = JsonBody.string(fields, "user", true);
        if (user.contains("/") || !TopicNames.isValid(user) || user.length() > 64) {
            throw HttpError.badRequest("user: \"" + user + "\" (expected: 1 to 64 of A-Z a-z 0-9 . _ ~ -, not . or ..)");
        }
        List<String> topics = List.of(Access.USERS + user + "/");
        List<String> publish = List.of(NotificationFeed.userTopic(user));
        long now = System.currentTimeMillis();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user)
                .claim("topics", topics)
                .claim("pub", publish)
                .issueTime(new Date(now))
                .expirationTime(new Date(now + TTL_SECONDS * 1000));
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        JsonObject answer = new JsonObject();
        answer.addProperty("token", jwt.serialize());
        answer.addProperty("expiresIn", TTL_SECONDS);
        answer.addProperty("user", user);
        JsonArray names = new JsonArray();
        topics.forEach(names::add);
        answer.add("topics", names);
        JsonArray publishes = new JsonArray();
        publish.forEach(publishes::add);
        answer.add("publish", publishes);
        sendJson(resp, 200, answer);
    }
}
