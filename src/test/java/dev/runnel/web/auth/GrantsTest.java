package dev.runnel.web.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Grants follow the one topic-prefix rule of every topic setting, {@code TopicNames.covers}. */
class GrantsTest {
    private static Grants publishing(String... entries) {
        return new Grants("feed", List.of(entries), null, Long.MAX_VALUE);
    }

    private static Grants subscribing(String... entries) {
        return new Grants("alice", null, List.of(entries), Long.MAX_VALUE);
    }

    @Test
    void anEntryWithoutSlashGrantsThatTopicAndTheTopicsBelowIt() {
        Grants weather = publishing("weather");
        assertTrue(weather.mayPublish("weather"));
        assertTrue(weather.mayPublish("weather/oslo"));
        assertTrue(weather.mayPublish("weather/oslo/rain"));
        assertFalse(weather.mayPublish("weatherman"));
        assertFalse(weather.mayPublish("sports"));

        Grants inbox = subscribing("users/alice");
        assertTrue(inbox.maySubscribe("users/alice"));
        assertTrue(inbox.maySubscribe("users/alice/inbox"));
        assertFalse(inbox.maySubscribe("users/alice2/inbox"));
    }

    @Test
    void anEntryEndingInSlashGrantsOnlyTheTopicsBelowIt() {
        Grants news = publishing("news/");
        assertTrue(news.mayPublish("news/eu"));
        assertFalse(news.mayPublish("news"));
        assertFalse(news.mayPublish("newsroom/eu"));
        assertFalse(subscribing("users/alice/").maySubscribe("users/alice"));
    }

    @Test
    void noClaimGrantsNothing() {
        Grants none = new Grants("nobody", null, null, Long.MAX_VALUE);
        assertFalse(none.mayPublish("news"));
        assertFalse(none.maySubscribe("users/nobody/inbox"));
        assertTrue(Grants.EVERYTHING.mayPublish("anything/at/all"));
    }
}
