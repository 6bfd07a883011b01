package dev.runnel.web;

import static dev.runnel.web.PublisherTokenTest.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys from a JWK Set ({@code runnel.jwt.jwks}), served over HTTP by an embedded Jetty the test
 * rotates: a token's {@code kid} picks its key, a new key is fetched when a token names it, an old
 * one stays good until it leaves the set, and a flood of unknown {@code kid}s does not become a flood
 * of fetches.
 */
class JwksTest {
    private final AtomicReference<String> served = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger fetches = new AtomicInteger();
    private Server issuer;
    private String url;
    private JWK k1;
    private JWK k2;

    @BeforeEach
    void startIssuer() throws Exception {
        k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        k2 = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        issuer = new Server();
        ServerConnector connector = new ServerConnector(issuer);
        connector.setHost("127.0.0.1");
        issuer.addConnector(connector);
        issuer.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                fetches.incrementAndGet();
                response.getHeaders().put("Content-Type", "application/json");
                response.write(true, ByteBuffer.wrap(served.get().getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        issuer.start();
        url = "http://127.0.0.1:" + connector.getLocalPort() + "/.well-known/jwks.json";
    }

    @AfterEach
    void stopIssuer() throws Exception {
        issuer.stop();
    }

    private void serve(JWK... keys) {
        served.set(new JWKSet(List.of(keys)).toPublicJWKSet().toString());
    }

    private static String token(JWK key) {
        return Tokens.signedBy(key, Tokens.claims("feed", 600).claim("pub", List.of("news/")).build());
    }

    private static ContentResponse publish(TestServer server, String token) throws Exception {
        return server.postJson("/publish", "{\"topic\":\"news/eu\",\"data\":\"x\"}", "Authorization", "Bearer " + token);
    }

    @Test
    void aNewKeyIsFetchedWhenATokenNamesItAndTheOldOneStaysGoodUntilItLeavesTheSet() throws Exception {
        serve(k1);
        try (TestServer server = TestServer.start("runnel.jwt.jwks", url, "runnel.jwt.jwksRefresh", "1h",
                "runnel.jwt.jwksMinInterval", "10ms")) {
            assertEquals(200, publish(server, token(k1)).getStatus());
            assertEquals(1, fetches.get());
            serve(k1, k2); // the issuer publishes its next key, then starts signing with it
            assertEquals(200, publish(server, token(k2)).getStatus(), "an unknown kid fetches the set again");
            assertEquals(2, fetches.get());
            assertEquals(200, publish(server, token(k1)).getStatus(), "the old key is still in the set");
            assertEquals(2, fetches.get(), "known kids are served from the cache");
        }
    }

    @Test
    void aKeyRemovedFromTheSetIsRefusedOnceTheCacheRefreshes() throws Exception {
        serve(k1, k2);
        try (TestServer server = TestServer.start("runnel.jwt.jwks", url, "runnel.jwt.jwksRefresh", "300ms",
                "runnel.jwt.jwksMinInterval", "10ms")) {
            assertEquals(200, publish(server, token(k1)).getStatus());
            serve(k2);
            Eventually.await(Duration.ofSeconds(10), "k1 refused after it left the set",
                    () -> publish(server, token(k1)).getStatus() == 401);
            assertRefused(publish(server, token(k1)), "unknown-key");
            assertEquals(200, publish(server, token(k2)).getStatus());
        }
    }

    @Test
    void aFloodOfUnknownKidsCostsAtMostOneMoreFetch() throws Exception {
        serve(k1);
        try (TestServer server = TestServer.start("runnel.jwt.jwks", url, "runnel.jwt.jwksRefresh", "2h",
                "runnel.jwt.jwksMinInterval", "1h")) {
            assertEquals(200, publish(server, token(k1)).getStatus());
            for (int i = 0; i < 50; i++) {
                JWK stranger = new ECKeyGenerator(Curve.P_256).keyID("stranger-" + i).generate();
                assertRefused(publish(server, token(stranger)), "unknown-key");
            }
            assertTrue(fetches.get() <= 2, "fetches: " + fetches.get());
            assertEquals(200, publish(server, token(k1)).getStatus());
        }
    }

    @Test
    void aJwkSetFileWorksAndItsKeysArePinnedToTheirAlgorithm() throws Exception {
        Path file = Files.createTempFile("runnel-jwks", ".json");
        try {
            Files.writeString(file, new JWKSet(List.of(k1, k2)).toPublicJWKSet().toString());
            try (TestServer server = TestServer.start("runnel.jwt.jwks", file.toString())) {
                assertEquals(200, publish(server, token(k1)).getStatus());
                assertEquals(200, publish(server, token(k2)).getStatus());
                // An HS256 token "signed" with the RSA key's public JSON: no HS256 key exists.
                String confused = Tokens.hs256(Tokens.claims("feed", 600).claim("pub", List.of("news/")).build(),
                        k1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8));
                assertRefused(publish(server, confused), "unsupported-algorithm");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void anIssuerThatCannotBeReachedIsA503NotABadToken() throws Exception {
        serve(k1);
        String unreachable = url;
        issuer.stop();
        try (TestServer server = TestServer.start("runnel.jwt.jwks", unreachable)) {
            ContentResponse r = publish(server, token(k1));
            assertEquals(503, r.getStatus(), r.getContentAsString());
            assertEquals("5", r.getHeaders().get("Retry-After"));
        }
    }
}
