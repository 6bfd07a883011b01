package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertError(publish(server, "news/eu", otherKey), 401, "bad signature");
            String expired = Tokens.hs256(Tokens.claims("feed", -60).claim("pub", List.of("news/")).build());
            assertError(publish(server, "news/eu", expired), 401, "expired");
            String future = Tokens.hs256(new JWTClaimsSet.Builder(grant).notBeforeTime(
                    new Date(System.currentTimeMillis() + 120_000)).build());
            assertError(publish(server, "news/eu", future), 401, "not yet valid");
            assertError(publish(server, "news/eu", Tokens.unsigned(grant)), 401, "algorithm none is not accepted");
            String noExp = Tokens.hs256(new JWTClaimsSet.Builder().subject("feed").claim("pub", List.of("news/")).build());
            assertError(publish(server, "news/eu", noExp), 401, "exp");
            assertError(publish(server, "news/eu", "a.b.c"), 401, "malformed");
            String pubIsAString = Tokens.hs256(Tokens.claims("feed", 600).claim("pub", "news/").build());
            assertError(publish(server, "news/eu", pubIsAString), 401, "claim pub: expected an array");
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
            assertError(publish(strict, "news/eu", expiredTenSecondsAgo), 401, "expired");
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
            assertError(publish(server, "news/eu", confused), 401, "algorithm HS256 is not accepted (expected: RS256)");
            String otherRsa = Tokens.rs256(grant, Tokens.rsaKeyPair());
            assertError(publish(server, "news/eu", otherRsa), 401, "bad signature");
        }
    }

    @Test
    void es256KeyAsJwkIsAcceptedAndPinned() throws Exception {
        ECKey ec = Tokens.ecKey();
        try (TestServer server = TestServer.start("runnel.jwt.publicKey", ec.toPublicJWK().toJSONString())) {
            JWTClaimsSet grant = Tokens.claims("feed", 600).claim("pub", List.of("news/")).build();
            assertEquals(200, publish(server, "news/eu", Tokens.es256(grant, ec)).getStatus());
            assertError(publish(server, "news/eu", Tokens.hs256(grant)), 401, "expected: ES256");
        }
    }

    @Test
    void sharedSecretKeepsWorkingBesideTokensAndLoopbackNeedsACredentialOnceEitherIsSet() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.publish.secret", "s3cret")) {
            assertEquals(200, server.postJson("/publish", BODY, "Authorization", "Bearer s3cret").getStatus());
            assertEquals(200, publish(server, "news/eu", Tokens.publisher("feed", "news/")).getStatus());
            assertError(server.postJson("/publish", BODY), 401, "Authorization: Bearer");
            assertError(server.postJson("/publish", BODY, "Authorization", "Bearer s3cre"), 401, "malformed");
        }
        try (TestServer tokensOnly = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
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
            assertError(publish(server, "news/eu", otherIssuer), 401, "iss");
            String otherAudience = Tokens.hs256(grant.issuer("https://login.example.com").audience("billing").build());
            assertError(publish(server, "news/eu", otherAudience), 401, "aud");
        }
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
