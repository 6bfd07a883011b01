package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What the start-up line shows of a setting: secrets, API keys and passwords in URLs never. */
class SettingsMaskingTest {
    @Test
    void secretsApiKeysAndPasswordsAreMasked() {
        assertEquals("****", Settings.masked("runnel.admin.secret", "an-admin-secret-of-sorts"));
        assertEquals("****", Settings.masked("runnel.publish.secret", "x"));
        assertEquals("****", Settings.masked("runnel.chat.upstream.apiKey", "sk-container"));
        assertEquals("redis://user:****@host:6379/0", Settings.masked("runnel.redis.url", "redis://user:pw@host:6379/0"));
        assertEquals("(81 characters)", Settings.masked("runnel.jwt.publicKey", "k".repeat(81)));
        assertEquals("10s", Settings.masked("runnel.heartbeat", "10s"));
    }
}
