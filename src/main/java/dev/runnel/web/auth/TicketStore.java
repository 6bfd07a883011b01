package dev.runnel.web.auth;

import dev.runnel.web.http.HttpError;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One-time tickets: a browser's {@code EventSource} cannot send an {@code Authorization} header, so
 * a page trades its token for a ticket ({@code POST /tickets}) and puts only the ticket in the
 * stream's URL. A ticket is 256 random bits, good for one connection within the TTL, and names
 * exactly the topics it grants.
 *
 * <p>Tickets are kept by their SHA-256 digest: a lookup's timing depends on the digest of what the
 * client sent, which tells an attacker nothing about stored tickets (a constant-time comparison in
 * effect), and a heap dump holds no usable ticket. The map is bounded ({@code runnel.tickets.max});
 * expired entries are dropped by {@link #sweep} and whenever the map is full. One subject (a
 * token's {@code sub}) may hold at most {@link #PER_SUBJECT} outstanding tickets, so one account
 * cannot exhaust the store for everyone.
 *
 * <p>Threading: thread-safe; {@link #redeem} removes atomically, so a ticket opens one stream only.
 */
public final class TicketStore {
    /** Length of a ticket: 32 bytes in unpadded base64url. */
    static final int LENGTH = 43;
    /** Outstanding tickets one subject may hold: a page needs one per stream it is opening. */
    public static final int PER_SUBJECT = 32;

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Entry> byDigest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> bySubject = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int max;
    private final LongSupplier nanoClock;

    /**
     * What a ticket grants.
     *
     * @param topics        exactly the topics it opens
     * @param expiresMillis when the stream it opens must end (the token's expiry), epoch millis
     */
    public record Ticket(String subject, List<String> topics, long expiresMillis) {
        public Ticket {
            topics = List.copyOf(topics);
        }
    }

    private record Entry(Ticket ticket, long validUntilNanos) {}

    public TicketStore(long ttlMillis, int max) {
        this(ttlMillis, max, System::nanoTime);
    }

    /** With a given clock (nanoseconds, as {@link System#nanoTime}): for tests of expiry. */
    TicketStore(long ttlMillis, int max, LongSupplier nanoClock) {
        this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        this.max = max;
        this.nanoClock = nanoClock;
    }

    public long ttlSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(ttlNanos);
    }

    /**
     * Issues a ticket, good for one connection within the TTL (or until the token expires, if sooner).
     *
     * @throws HttpError 503 when {@code runnel.tickets.max} tickets are outstanding
     */
    public String issue(Ticket ticket) {
        if (byDigest.size() >= max) {
            sweep();
            if (byDigest.size() >= max) {
                throw new HttpError(503, "too-many-tickets", max + " tickets are outstanding "
                        + "(runnel.tickets.max); retry shortly").withHeader("Retry-After", String.valueOf(ttlSeconds()));
            }
        }
        String subject = ticket.subject();
        if (subject != null) {
            boolean[] granted = new boolean[1];
            bySubject.compute(subject, (k, n) -> {
                int count = n == null ? 0 : n;
                granted[0] = count < PER_SUBJECT;
                return granted[0] ? count + 1 : n;
            });
            if (!granted[0]) {
                throw new HttpError(429, "too-many-tickets", "this subject holds " + PER_SUBJECT
                        + " unused tickets; use or let them expire").withHeader("Retry-After", String.valueOf(ttlSeconds()));
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long untilToken = TimeUnit.MILLISECONDS.toNanos(Math.max(0, ticket.expiresMillis() - System.currentTimeMillis()));
        long valid = Math.min(ttlNanos, untilToken);
        byDigest.put(digest(value), new Entry(ticket, nanoClock.getAsLong() + valid));
        return value;
    }

    /** Takes the ticket out of the store: its grant, or null if it is unknown, expired or used. */
    Ticket redeem(String value) {
        if (value == null || value.length() != LENGTH) {
            return null;
        }
        Entry entry = byDigest.remove(digest(value));
        if (entry == null) {
            return null;
        }
        released(entry);
        return nanoClock.getAsLong() - entry.validUntilNanos() >= 0 ? null : entry.ticket();
    }

    /** Drops expired tickets. Scheduler thread, and whenever the store is full. */
    public void sweep() {
        long now = nanoClock.getAsLong();
        byDigest.values().removeIf(e -> {
            if (now - e.validUntilNanos() >= 0) {
                released(e);
                return true;
            }
            return false;
        });
    }

    private void released(Entry e) {
        String subject = e.ticket().subject();
        if (subject != null) {
            bySubject.computeIfPresent(subject, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    public int size() {
        return byDigest.size();
    }

    private static String digest(String value) {
        return Base64.getEncoder().encodeToString(Sha256.of(value));
    }
}
