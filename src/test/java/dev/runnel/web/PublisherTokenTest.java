package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import dev.runnel.web.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

class PublisherTokenTest {
    private static final String BODY = "{\"topic\":\"news/eu\",\"data\":\"x\"}";

    private static ContentResponse publish(TestServer server, String topic, String token) throws Exception {
        return server.postJson("/publish", "{\"topic\":\"" + topic + "\",\"data\":\"x\"}",
                "Authorization", "Bearer " + token);
    }

    @Test
    void hs256TokenPublishesToItsTopicsAndTheTopicsBelowThemOnly() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET);
                EventRecorder stream = server.subscribe("news/eu")) {
            stream.connected();
            String token = Tokens.publisher("feed-1", "news/", "weather");
            assertEquals(200, publish(server, "news/eu", token).getStatus());
            assertEquals("x", stream.next().data());
            assertEquals(200, publish(server, "weather", token).getStatus());
            assertEquals(200, publish(server, "weather/oslo", token).getStatus());
            assertError(publish(server, "weatherman", token), 403, "does not grant publishing to \"weatherman\"");
            assertError(publish(server, "news", token), 403, "claim pub");
            assertError(publish(server, "sports", token), 403, "does not grant");
        }
    }

    @Test
    void badSignatureExpiredNotYetValidUnsignedAndMalformedAre401WithAReason() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.jwt.clockSkew", "5s")) {
            JWTClaimsSet grant = Tokens.claims("feed", 600).claim("pub", List.of("news/")).build();
            String otherKey = Tokens.hs256(grant, "another-secret-of-at-least-32-bytes".getBytes(StandardCharsets.UTF_8));
            assertRefused(publish(server, "news/eu", otherKey), "bad-signature");
            String expired = Tokens.hs256(Tokens.claims("feed", -60).claim("pub", List.of("news/")).build());
            assertRefused(publish(server, "news/eu", expired), "expired");
            String future = Tokens.hs256(new JWTClaimsSet.Builder(grant).notBeforeTime(
                    new Date(System.currentTimeMillis() + 120_000)).build());
            assertRefused(publish(server, "news/eu", future), "not-yet-valid");
            assertRefused(publish(server, "news/eu", Tokens.unsigned(grant)), "unsupported-algorithm");
            String noExp = Tokens.hs256(new JWTClaimsSet.Builder().subject("feed").claim("pub", List.of("news/")).build());
            assertRefused(publish(server, "news/eu", noExp), "missing-claim");
            assertRefused(publish(server, "news/eu", "a.b.c"), "malformed");
            String pubIsAString = Tokens.hs256(Tokens.claims("feed", 600).claim("pub", "news/").build());
            assertError(publish(server, "news/eu", pubIsAString), 401, "claim pub: expected an array");
            assertRefused(publish(server, "news/eu", pubIsAString), "bad-claim");
            String badEntry = Tokens.hs256(Tokens.claims("feed", 600).claim("pub", List.of("../x")).build());
            assertError(publish(server, "news/eu", badEntry), 401, "neither a topic name nor a prefix");
            ContentResponse basic = server.postJson("/publish", BODY, "Authorization", "Basic Zm9vOmJhcg==");
            assertError(basic, 401, "expected Bearer");
            assertTrue(basic.getHeaders().get("WWW-Authenticate").startsWith("Bearer"));
        }
    }

    @Test
    void expiryAndNotBeforeAllowTheConfiguredClockSkew() throws Exception {
        String expiredTenSecondsAgo = Tokens.hs256(Tokens.claims("feed", -10).claim("pub", List.of("news/")).build());
        try (TestServer lenient = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.jwt.clockSkew", "30s")) {
            assertEquals(200, publish(lenient, "news/eu", expiredTenSecondsAgo).getStatus());
        }
        try (TestServer strict = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.jwt.clockSkew", "0s")) {
            assertRefused(publish(strict, "news/eu", expiredTenSecondsAgo), "expired");
        }
    }

    @Test
    void rs256PublicKeyAcceptsRsTokensAndRefusesHs256SignedWithThePublicKeyItself() throws Exception {
        KeyPair rsa = Tokens.rsaKeyPair();
        String pem = Tokens.pem(rsa);
        try (TestServer server = TestServer.start("runnel.jwt.publicKey", pem)) {
            JWTClaimsSet grant = Tokens.claims("feed", 600).claim("pub", List.of("news/")).build();
            assertEquals(200, publish(server, "news/eu", Tokens.rs256(grant, rsa)).getStatus());
            // Algorithm confusion: an HS256 token whose HMAC key is the public key's text.
            String confused = Tokens.hs256(grant, pem.getBytes(StandardCharsets.UTF_8));
            assertRefused(publish(server, "news/eu", confused), "unsupported-algorithm");
            String otherRsa = Tokens.rs256(grant, Tokens.rsaKeyPair());
            assertRefused(publish(server, "news/eu", otherRsa), "bad-signature");
        }
    }

    @Test
    void es256KeyAsJwkIsAcceptedAndPinned() throws Exception {
        ECKey ec = Tokens.ecKey();
        try (TestServer server = TestServer.start("runnel.jwt.publicKey", ec.toPublicJWK().toJSONString())) {
            JWTClaimsSet grant = Tokens.claims("feed", 600).claim("pub", List.of("news/")).build();
            assertEquals(200, publish(server, "news/eu", Tokens.es256(grant, ec)).getStatus());
            assertRefused(publish(server, "news/eu", Tokens.hs256(grant)), "unsupported-algorithm");
        }
    }

    @Test
    void sharedSecretKeepsWorkingBesideTokensAndLoopbackNeedsACredentialOnceEitherIsSet() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.publish.secret", "s3cret",
                "runnel.publish.allowLoopback", "false")) {
            assertEquals(200, server.postJson("/publish", BODY, "Authorization", "Bearer s3cret").getStatus());
            assertEquals(200, publish(server, "news/eu", Tokens.publisher("feed", "news/")).getStatus());
            assertError(server.postJson("/publish", BODY), 401, "Authorization: Bearer");
            assertRefused(server.postJson("/publish", BODY, "Authorization", "Bearer s3cre"), "malformed");
        }
        try (TestServer tokensOnly = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.publish.allowLoopback", "false")) {
            assertError(tokensOnly.postJson("/publish", BODY), 401, "signed token");
        }
    }

    @Test
    void configuredIssuerAndAudienceAreRequired() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.jwt.issuer",
                "https://login.example.com", "runnel.jwt.audience", "runnel")) {
            JWTClaimsSet.Builder grant = Tokens.claims("feed", 600).claim("pub", List.of("news/"));
            String right = Tokens.hs256(grant.issuer("https://login.example.com").audience("runnel").build());
            assertEquals(200, publish(server, "news/eu", right).getStatus());
            String otherIssuer = Tokens.hs256(grant.issuer("https://evil.example.com").audience("runnel").build());
            assertRefused(publish(server, "news/eu", otherIssuer), "bad-issuer");
            String otherAudience = Tokens.hs256(grant.issuer("https://login.example.com").audience("billing").build());
            assertRefused(publish(server, "news/eu", otherAudience), "bad-audience");
            String noIssuer = Tokens.hs256(Tokens.claims("feed", 600).claim("pub", List.of("news/")).audience("runnel").build());
            assertRefused(publish(server, "news/eu", noIssuer), "bad-issuer");
        }
    }

    @Test
    void accessTokensTypedAtJwtAreAcceptedAndOtherTypesRefused() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            JWTClaimsSet grant = Tokens.claims("feed", 600).claim("pub", List.of("news/")).build();
            for (String typ : List.of("JWT", "at+jwt", "application/at+jwt")) {
                String token = Tokens.hs256(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType(typ)).build(),
                        grant);
                assertEquals(200, publish(server, "news/eu", token).getStatus(), "typ " + typ);
            }
            String other = Tokens.hs256(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("secevent+jwt"))
                    .build(), grant);
            assertRefused(publish(server, "news/eu", other), "bad-type");
        }
    }

    /** secp256k1: a 256-bit curve that is not P-256 (openssl ecparam -name secp256k1). */
    static final String SECP256K1_PUBLIC_KEY = """
            -----BEGIN PUBLIC KEY-----
            MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEuBGxIKSzxF7n+ve0dTY/TaW37rd0du7C
            5NWobvMp/cZ1f29fnqD8MCFBAijWqaoqUyETmTChSd7ft9VlFtWCvw==
            -----END PUBLIC KEY-----
            """;

    @Test
    void es256IsPinnedToP256AndAnotherCurveOfTheSameSizeIsRefusedAtStart() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new TokenVerifier(null, SECP256K1_PUBLIC_KEY, null, null, Duration.ofSeconds(30)));
        assertTrue(refused.getMessage().contains("runnel.jwt.publicKey") && refused.getMessage().contains("P-256"),
                refused.getMessage());
    }

    /** A 401 with the stable reason code, a generic detail, and nothing of the server's configuration. */
    static void assertRefused(ContentResponse response, String reason) {
        assertEquals(401, response.getStatus(), response.getContentAsString());
        JsonObject body = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
        assertEquals("invalid-token", body.get("error").getAsString(), body.toString());
        assertEquals(reason, body.get("reason").getAsString(), body.toString());
        for (String secret : List.of("login.example.com", "runnel\"", Tokens.SECRET, "RS256", "ES256", "must be")) {
            assertFalse(body.get("detail").getAsString().contains(secret), "the detail echoes configuration: " + body);
        }
        assertTrue(response.getHeaders().get("WWW-Authenticate").contains("error_description=\"" + reason + "\""),
                response.getHeaders().get("WWW-Authenticate"));
    }

    @Test
    void subscriberTokenWithoutPubClaimMayNotPublish() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            assertError(publish(server, "news/eu", Tokens.subscriber("alice", "users/alice/")), 403, "grants no publishing");
        }
    }

    @Test
    void unusableKeySettingsStopTheStartWithAReason() {
        Settings shortSecret = Settings.fromMap(Map.of("runnel.jwt.secret", "too-short"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SecurityConfig.from(shortSecret))
                .getMessage().contains("at least 32 bytes"));
        IllegalArgumentException notAKey = assertThrows(IllegalArgumentException.class,
                () -> new TokenVerifier(null, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", null, null,
                        Duration.ofSeconds(30)));
        assertTrue(notAKey.getMessage().contains("runnel.jwt.publicKey"), notAKey.getMessage());
    }
}
