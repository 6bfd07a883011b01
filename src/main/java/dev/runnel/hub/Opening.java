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
 *                    finite topics alone, whose history carries its own ids; or null
 * @param ended       every topic is finite and has already ended: complete after the opening
 */
public record Opening(String resetReason, String resetDetail, List<LoggedEvent> events, String pinId,
        boolean ended) {
    public Opening {
        events = List.copyOf(events);
    }
}
