package dev.runnel.web.auth;

import dev.runnel.web.http.HttpError;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One-time tickets: a browser's {@code EventSource} cannot send an {@code Authorization} header, so
 * a page trades its token for a ticket ({@code POST /tickets}) and puts only the ticket in the
 * stream's URL. A ticket is 256 random bits, good for one connection within the TTL, and names
 * exactly the topics it grants.
 *
 * <p>Tickets are kept by their SHA-256 digest: a lookup's timing depends on the digest of what the
 * client sent, which tells an attacker nothing about stored tickets (a constant-time comparison in
 * effect), and a heap dump holds no usable ticket. The store holds at most {@code runnel.tickets.max}
 * tickets, exactly, however many threads issue at once: a place is reserved before a ticket is made
 * and given back by whoever removes the ticket (its redemption, or the sweep of expired ones). One
 * holder — a token's subject, or for a token without {@code sub} a digest of the token itself —
 * may hold at most {@code runnel.tickets.perSubject} unused tickets, so one account cannot exhaust
 * the store for everyone, with or without a {@code sub}.
 *
 * <p>With {@link Shared} storage (several nodes on one Redis) the tickets are kept there instead, so
 * that a ticket issued on one node is redeemed once on any node; the per-holder cap then counts the
 * holder's tickets on every node, and {@code runnel.tickets.max} is not counted (Redis holds them, each
 * for at most the TTL).
 *
 * <p>Threading: thread-safe; {@link #redeem} removes atomically, so a ticket opens one stream only.
 */
public final class TicketStore {
    /** Length of a ticket: 32 bytes in unpadded base64url. */
    static final int LENGTH = 43;

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Entry> byDigest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> byHolder = new ConcurrentHashMap<>();
    private final AtomicInteger places = new AtomicInteger();
    private final long ttlNanos;
    private final int max;
    private final int perHolder;
    private final LongSupplier nanoClock;
    private final Shared shared;

    /**
     * Tickets kept where every node reads them, by digest, each with its holder and an opaque grant.
     *
     * <p>Threading: thread-safe. A store that cannot be reached throws {@link HttpError} (503).
     */
    public interface Shared {
        /** What storing a ticket answered. */
        enum Issued { ISSUED, HOLDER_FULL, EXISTS }

        Issued issue(String digest, String holder, String grant, long ttlMillis, int perHolder);

        /** Takes the ticket out: its grant, or null when unknown, expired or already redeemed on any node. */
        String redeem(String digest);

        /** The grant, leaving the ticket stored; null when unknown or expired. */
        String peek(String digest);
    }

    /**
     * What a ticket grants.
     *
     * @param holder        whose ticket it is, for the per-holder cap
     * @param topics        exactly the topics it opens
     * @param expiresMillis when the stream it opens must end (the token's expiry), epoch millis
     */
    public record Ticket(String holder, List<String> topics, long expiresMillis) {
        public Ticket {
            topics = List.copyOf(topics);
        }
    }

    private record Entry(Ticket ticket, long validUntilNanos) {}

    public TicketStore(long ttlMillis, int max, int perHolder) {
        this(ttlMillis, max, perHolder, System::nanoTime, null);
    }

    /** Tickets kept in {@code shared} storage, for every node of a cluster. */
    public TicketStore(long ttlMillis, int max, int perHolder, Shared shared) {
        this(ttlMillis, max, perHolder, System::nanoTime, shared);
    }

    /** With a given clock (nanoseconds, as {@link System#nanoTime}): for tests of expiry. */
    TicketStore(long ttlMillis, int max, int perHolder, LongSupplier nanoClock) {
        this(ttlMillis, max, perHolder, nanoClock, null);
    }

    private TicketStore(long ttlMillis, int max, int perHolder, LongSupplier nanoClock, Shared shared) {
        this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        this.max = max;
        this.perHolder = perHolder;
        this.nanoClock = nanoClock;
        this.shared = shared;
    }

    public long ttlSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(ttlNanos);
    }

    /**
     * Issues a ticket, good for one connection within the TTL (or until the token expires, if sooner).
     *
     * @throws HttpError 503 when {@code runnel.tickets.max} tickets are outstanding, 429 when the holder
     *                   has {@code runnel.tickets.perSubject}
     */
    public String issue(Ticket ticket) {
        if (shared != null) {
            return issueShared(ticket);
        }
        if (!reservePlace()) {
            sweep();
            if (!reservePlace()) {
                throw new HttpError(503, "too-many-tickets", max + " tickets are outstanding "
                        + "(runnel.tickets.max); retry shortly").withHeader("Retry-After", String.valueOf(ttlSeconds()));
            }
        }
        boolean[] granted = new boolean[1];
        byHolder.compute(ticket.holder(), (k, n) -> {
            int count = n == null ? 0 : n;
            granted[0] = count < perHolder;
            return granted[0] ? count + 1 : n;
        });
        if (!granted[0]) {
            places.decrementAndGet();
            throw holderFull();
        }
        String value = newValue();
        byDigest.put(digest(value), new Entry(ticket, nanoClock.getAsLong() + validNanos(ticket)));
        return value;
    }

    private String issueShared(Ticket ticket) {
        long validMillis = TimeUnit.NANOSECONDS.toMillis(validNanos(ticket));
        if (validMillis <= 0) {
            // The token expires now: the ticket could open nothing; it is never stored, so never redeemed.
            return newValue();
        }
        StringBuilder grant = new StringBuilder().append(ticket.expiresMillis());
        ticket.topics().forEach(topic -> grant.append('\n').append(topic));
        // The holder goes into a key name: its digest, never a subject or a token itself.
        String holder = digest(ticket.holder());
        for (;;) {
            String value = newValue();
            switch (shared.issue(digest(value), holder, grant.toString(), validMillis, perHolder)) {
                case ISSUED:
                    return value;
                case HOLDER_FULL:
                    throw holderFull();
                case EXISTS:
                    continue; // 256 random bits met an outstanding ticket's: draw again
            }
        }
    }

    private HttpError holderFull() {
        return new HttpError(429, "too-many-tickets", "this token's holder has " + perHolder
                + " unused tickets (runnel.tickets.perSubject); use them or let them expire")
                .withHeader("Retry-After", String.valueOf(ttlSeconds()));
    }

    private String newValue() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** How long a ticket for this grant is good: the TTL, or less when the token expires sooner. */
    private long validNanos(Ticket ticket) {
        long untilToken = TimeUnit.MILLISECONDS.toNanos(Math.max(0, ticket.expiresMillis() - System.currentTimeMillis()));
        return Math.min(ttlNanos, untilToken);
    }

    /** The grant {@link #issueShared} stored: the expiry, then one topic a line (topic names have no line break). */
    private static Ticket decode(String holder, String grant) {
        String[] lines = grant.split("\n", -1);
        return new Ticket(holder, List.of(lines).subList(1, lines.length), Long.parseLong(lines[0]));
    }

    /** Takes a place in the store if one is free. */
    private boolean reservePlace() {
        for (;;) {
            int n = places.get();
            if (n >= max) {
                return false;
            }
            if (places.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Takes the ticket out of the store: its grant, or null if it is unknown, expired or used. */
    Ticket redeem(String value) {
        if (value == null || value.length() != LENGTH) {
            return null;
        }
        if (shared != null) {
            String grant = shared.redeem(digest(value));
            return grant == null ? null : decode(null, grant);
        }
        Entry entry = byDigest.remove(digest(value));
        if (entry == null) {
            return null;
        }
        released(entry);
        return isValid(entry, nanoClock.getAsLong()) ? entry.ticket() : null;
    }

    /** What {@link #redeem} would answer, leaving the ticket in the store. */
    Ticket peek(String value) {
        if (value == null || value.length() != LENGTH) {
            return null;
        }
        if (shared != null) {
            String grant = shared.peek(digest(value));
            return grant == null ? null : decode(null, grant);
        }
        Entry entry = byDigest.get(digest(value));
        return entry != null && isValid(entry, nanoClock.getAsLong()) ? entry.ticket() : null;
    }

    /** Drops expired tickets. Scheduler thread, and whenever the store is full. */
    public void sweep() {
        long now = nanoClock.getAsLong();
        for (Map.Entry<String, Entry> e : byDigest.entrySet()) {
            // Only the thread whose remove succeeds gives the places back: a redemption may race the sweep.
            if (!isValid(e.getValue(), now) && byDigest.remove(e.getKey(), e.getValue())) {
                released(e.getValue());
            }
        }
    }

    private static boolean isValid(Entry e, long now) {
        return now - e.validUntilNanos() < 0;
    }

    private void released(Entry e) {
        byHolder.computeIfPresent(e.ticket().holder(), (k, n) -> n <= 1 ? null : n - 1);
        places.decrementAndGet();
    }

    /** Tickets outstanding in this node's memory (0 with shared storage: Redis holds them). */
    public int size() {
        return byDigest.size();
    }

    private static String digest(String value) {
        return Base64.getEncoder().encodeToString(Sha256.of(value));
    }
}
