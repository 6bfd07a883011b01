package dev.runnel.redis;

import java.util.List;

/**
 * One-time tickets that every node can redeem: stored in Redis under their digest (never the ticket
 * itself) with their time to live, and taken out with {@code GETDEL}, which hands the grant to exactly
 * one caller, whichever node it runs on. A subject holds at most a given number of outstanding
 * tickets; redeeming or expiring one frees its place.
 *
 * <pre>
 * &lt;prefix&gt;:ticket:&lt;digest&gt;     string  "&lt;subject&gt;\n&lt;grant&gt;"   (subject empty when none), expires with the ticket
 * &lt;prefix&gt;:tickets:&lt;subject&gt;   zset    digest -&gt; expiry millis: the subject's outstanding tickets
 * </pre>
 *
 * <p>Threading: thread-safe.
 */
public final class SharedTickets {
    private final RedisConnections redis;
    private final String prefix;

    /** What issuing answered. */
    public enum Issued {
        ISSUED,
        /** The subject holds its maximum of outstanding tickets. */
        SUBJECT_FULL,
        /** A ticket with this digest exists (a repeated random value: issue another). */
        EXISTS
    }

    /** A redeemed ticket: the subject it was issued to (null when none) and the grant stored with it. */
    public record Redeemed(String subject, String grant) {}

    public SharedTickets(RedisConnections redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /**
     * Stores a ticket for {@code ttlMillis}.
     *
     * @param subject       null when the ticket has none (then no cap applies here)
     * @param perSubjectCap outstanding tickets one subject may hold
     */
    public Issued issue(String digest, String subject, String grant, long ttlMillis, int perSubjectCap) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " (expected: > 0)");
        }
        if (subject != null && subject.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("subject: a line break (expected: none)");
        }
        String ticketKey = ticketKey(digest);
        String subjectKey = subject == null ? ticketKey : subjectKey(subject);
        String answer = redis.call("issue a ticket", false, jedis -> Replies.text(Script.TICKET.run(jedis,
                List.of(ticketKey, subjectKey), List.of((subject == null ? "" : subject) + "\n" + grant,
                        Long.toString(ttlMillis), Integer.toString(perSubjectCap), subject == null ? "0" : "1", digest))));
        return switch (answer) {
            case "issued" -> Issued.ISSUED;
            case "full" -> Issued.SUBJECT_FULL;
            case "exists" -> Issued.EXISTS;
            default -> throw new IllegalStateException("ticket.lua answered " + answer);
        };
    }

    /** Takes the ticket out: its grant, or null when it is unknown, expired or already redeemed (anywhere). */
    public Redeemed redeem(String digest) {
        // Not repeatable: a GETDEL whose answer was lost has used the ticket up.
        String value = redis.call("redeem a ticket", false, jedis -> jedis.getDel(ticketKey(digest)));
        if (value == null) {
            return null;
        }
        Redeemed redeemed = redeemed(value);
        if (redeemed.subject() != null) {
            // Its place is free again; the grant is already this caller's alone, whatever happens here.
            redis.call("release a ticket's place", true, jedis -> jedis.zrem(subjectKey(redeemed.subject()), digest));
        }
        return redeemed;
    }

    /** The ticket's grant without taking it out, or null when it is unknown, expired or redeemed. */
    public Redeemed peek(String digest) {
        String value = redis.call("read a ticket", true, jedis -> jedis.get(ticketKey(digest)));
        return value == null ? null : redeemed(value);
    }

    private static Redeemed redeemed(String value) {
        int nl = value.indexOf('\n');
        String subject = value.substring(0, nl);
        return new Redeemed(subject.isEmpty() ? null : subject, value.substring(nl + 1));
    }

    private String ticketKey(String digest) {
        return prefix + ":ticket:" + digest;
    }

    private String subjectKey(String subject) {
        return prefix + ":tickets:" + subject;
    }
}
