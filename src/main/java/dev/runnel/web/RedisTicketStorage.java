package dev.runnel.web;

import dev.runnel.redis.RedisUnavailableException;
import dev.runnel.redis.SharedTickets;
import dev.runnel.web.api.Refusals;
import dev.runnel.web.auth.TicketStore;

/**
 * The ticket store's shared storage on {@link SharedTickets}: what Redis answers in the store's terms,
 * and Redis out of reach as the {@code 503 log-unavailable} every other endpoint answers then.
 *
 * <p>Threading: thread-safe (container threads).
 */
final class RedisTicketStorage implements TicketStore.Shared {
    private final SharedTickets tickets;

    RedisTicketStorage(SharedTickets tickets) {
        this.tickets = tickets;
    }

    @Override
    public Issued issue(String digest, String holder, String grant, long ttlMillis, int perHolder) {
        try {
            return switch (tickets.issue(digest, holder, grant, ttlMillis, perHolder)) {
                case ISSUED -> Issued.ISSUED;
                case SUBJECT_FULL -> Issued.HOLDER_FULL;
                case EXISTS -> Issued.EXISTS;
            };
        } catch (RedisUnavailableException e) {
            throw unavailable(e);
        }
    }

    @Override
    public String redeem(String digest) {
        try {
            SharedTickets.Redeemed redeemed = tickets.redeem(digest);
            return redeemed == null ? null : redeemed.grant();
        } catch (RedisUnavailableException e) {
            throw unavailable(e);
        }
    }

    @Override
    public String peek(String digest) {
        try {
            SharedTickets.Redeemed found = tickets.peek(digest);
            return found == null ? null : found.grant();
        } catch (RedisUnavailableException e) {
            throw unavailable(e);
        }
    }

    private static RuntimeException unavailable(RedisUnavailableException e) {
        return Refusals.logUnavailable("tickets are kept in Redis, which cannot be reached now: " + e.getMessage());
    }
}
