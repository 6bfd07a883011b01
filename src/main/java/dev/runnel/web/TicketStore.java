package dev.runnel.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One-time tickets: a browser's {@code EventSource} cannot send an {@code Authorization} header, so
 * a page trades its token for a ticket ({@code POST /tickets}) and puts only the ticket in the
 * stream's URL. A ticket is 256 random bits, good for one connection within the TTL, and names
 * exactly the topics it grants.
 *
 * <p>Tickets are kept by their SHA-256 digest: a lookup's timing depends on the digest of what the
 * client sent, which tells an attacker nothing about stored tickets (a constant-time comparison in
 * effect), and a heap dump holds no usable ticket. The map is bounded ({@code runnel.tickets.max});
 * expired entries are dropped by {@link #sweep} and whenever the map is full.
 *
 * <p>Threading: thread-safe; {@link #redeem} removes atomically, so a ticket opens one stream only.
 */
final class TicketStore {
    /** Length of a ticket: 32 bytes in unpadded base64url. */
    static final int LENGTH = 43;

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Entry> byDigest = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int max;

    /**
     * What a ticket grants.
     *
     * @param topics        exactly the topics it opens
     * @param expiresMillis when the stream it opens must end (the token's expiry), epoch millis
     */
    record Ticket(String subject, List<String> topics, long expiresMillis) {
        Ticket {
            topics = List.copyOf(topics);
        }
    }

    private record Entry(Ticket ticket, long validUntilNanos) {}

    TicketStore(long ttlMillis, int max) {
        this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        this.max = max;
    }

    long ttlSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(ttlNanos);
    }

    /**
     * Issues a ticket, good for one connection within the TTL (or until the token expires, if sooner).
     *
     * @throws ApiServlet.BadRequest 503 when {@code runnel.tickets.max} tickets are outstanding
     */
    String issue(Ticket ticket) {
        if (byDigest.size() >= max) {
            sweep();
            if (byDigest.size() >= max) {
                throw new ApiServlet.BadRequest(503, "too-many-tickets", max + " tickets are outstanding "
                        + "(runnel.tickets.max); retry shortly").withHeader("Retry-After", String.valueOf(ttlSeconds()));
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long untilToken = TimeUnit.MILLISECONDS.toNanos(Math.max(0, ticket.expiresMillis() - System.currentTimeMillis()));
        long valid = Math.min(ttlNanos, untilToken);
        byDigest.put(digest(value), new Entry(ticket, System.nanoTime() + valid));
        return value;
    }

    /** Takes the ticket out of the store: its grant, or null if it is unknown, expired or used. */
    Ticket redeem(String value) {
        if (value == null || value.length() != LENGTH) {
            return null;
        }
        Entry entry = byDigest.remove(digest(value));
        if (entry == null || System.nanoTime() - entry.validUntilNanos() > 0) {
            return null;
        }
        return entry.ticket();
    }

    /** Drops expired tickets. Scheduler thread, and whenever the store is full. */
    void sweep() {
        long now = System.nanoTime();
        byDigest.values().removeIf(e -> now - e.validUntilNanos() > 0);
    }

    int size() {
        return byDigest.size();
    }

    private static String digest(String value) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
