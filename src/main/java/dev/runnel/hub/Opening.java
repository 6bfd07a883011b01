package dev.runnel.hub;

import java.util.List;

/**
 * What a new subscription receives before live events, in this order.
 *
 * @param resetReason {@code history-lost}, {@code unknown-epoch} or {@code malformed-id} when the
 *                    client's cursor cannot be honoured and the page must resynchronise; else null
 * @param resetDetail a human-readable explanation for the reset, or null
 * @param events      replay (events after a valid cursor) or, without one, the snapshot: the latest
 *                    value per key of state topics and what the log holds of finite topics; in log order
 * @param pinId       an id to hand the client without an event (a bare {@code id:} block), so that a
 *                    reconnect resumes exactly at the point where this subscription joined; never for
 *                    finite topics alone, whose history carries its own ids (except the ending of
 *                    ended ones whose final event left the log, so that the reconnect gets 204); or null
 * @param ended       every topic is finite and has already ended: complete after the opening
 * @param joinId      where this subscription joined the log, as a cursor: a client that gets nothing
 *                    after being told it may reopen there and lose no event (the {@code connected}
 *                    event carries it, since a page cannot see a bare {@code id:}); null for finite
 *                    topics alone without a cursor, whose reopening should ask for their whole history
 */
public record Opening(String resetReason, String resetDetail, List<LoggedEvent> events, String pinId,
        boolean ended, String joinId) {
    public Opening {
        events = List.copyOf(events);
    }
}
