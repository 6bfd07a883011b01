package dev.runnel.chat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Tokens each caller may spend on the model per minute and per day, counted from the usage the model
 * reports when an answer ends. Windows are calendar minutes and UTC days: simple to state, and the
 * refusal can say exactly when spending is possible again. An answer is refused once the spent tokens
 * reach a budget; the answer that crosses it is not cut short (its size is unknown when it starts).
 *
 * <p>Threading: thread-safe; methods hold the instance's monitor briefly.
 */
final class TokenBudgets {
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    private final long perMinute;
    private final long perDay;
    private final LongSupplier clock;
    private final Map<String, Spent> spent = new HashMap<>(); // guarded by this

    private static final class Spent {
        long minute = -1;
        long inMinute;
        long day = -1;
        long inDay;

        void roll(long now) {
            if (now / MINUTE != minute) {
                minute = now / MINUTE;
                inMinute = 0;
            }
            if (now / DAY != day) {
                day = now / DAY;
                inDay = 0;
            }
        }
    }

    /** @param perMinute 0 for no limit; likewise {@code perDay} */
    TokenBudgets(long perMinute, long perDay, LongSupplier clock) {
        if (perMinute < 0 || perDay < 0) {
            throw new IllegalArgumentException("runnel.chat.budget: " + perMinute + "/min, " + perDay
                    + "/day (expected: >= 0, 0 for no limit)");
        }
        this.perMinute = perMinute;
        this.perDay = perDay;
        this.clock = clock;
    }

    /** @throws ChatRefused 429 with the seconds until the exhausted window ends */
    synchronized void check(String caller) {
        Spent s = spent.get(caller);
        if (s == null) {
            return;
        }
        long now = clock.getAsLong();
        s.roll(now);
        if (perDay > 0 && s.inDay >= perDay) {
            throw refused(caller, s.inDay, perDay, "day", "runnel.chat.budget.perDay", DAY - now % DAY);
        }
        if (perMinute > 0 && s.inMinute >= perMinute) {
            throw refused(caller, s.inMinute, perMinute, "minute", "runnel.chat.budget.perMinute",
                    MINUTE - now % MINUTE);
        }
    }

    synchronized void spend(String caller, long tokens) {
        if ((perMinute == 0 && perDay == 0) || tokens <= 0) {
            return;
        }
        Spent s = spent.computeIfAbsent(caller, c -> new Spent());
        s.roll(clock.getAsLong());
        s.inMinute += tokens;
        s.inDay += tokens;
    }

    /** Forgets callers with nothing spent today. */
    synchronized void sweep() {
        long day = clock.getAsLong() / DAY;
        spent.values().removeIf(s -> s.day != day);
    }

    private static ChatRefused refused(String caller, long used, long budget, String window, String key,
            long remainingMillis) {
        return new ChatRefused(ChatRefused.Kind.TOO_MANY, "this credential has used " + used + " of its " + budget
                + " tokens this " + window + " (" + key + ")", Math.max(1, (remainingMillis + 999) / 1000));
    }
}
