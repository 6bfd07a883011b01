package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteLag}: the streams are behind when most writes of a window carried an event older than
 * a fifth of the lag bound; a slow few are not the hub's lag, and the signal ends when writing does.
 */
class WriteLagTest {
    private static final long LAG_MILLIS = 500;
    private static final long LATE = TimeUnit.MILLISECONDS.toNanos(LAG_MILLIS / 5) + 1;
    private static final long ON_TIME = TimeUnit.MILLISECONDS.toNanos(10);

    private final TestClock clock = new TestClock(0);
    private final WriteLag lag = new WriteLag(LAG_MILLIS, () -> clock.getAsLong() * 1_000_000);

    @Test
    void mostWritesLateMakeTheStreamsBehindOnceTheirWindowEnds() {
        write(30, LATE);
        write(10, ON_TIME);
        assertFalse(lag.behind(), "judged at the end of a window, not during it");

        clock.set(WriteLag.WINDOW_MILLIS);
        write(1, ON_TIME); // the first write of the next window closes the last one
        assertTrue(lag.behind());
        assertEquals(75, lag.lateShare());
    }

    @Test
    void aFewSlowReadersAreNotTheHubsLag() {
        write(10, LATE);
        write(90, ON_TIME);
        clock.set(WriteLag.WINDOW_MILLIS);
        write(1, ON_TIME);
        assertFalse(lag.behind());
        assertEquals(10, lag.lateShare());
    }

    @Test
    void theSignalEndsWithAWindowWithoutWrites() {
        write(50, LATE);
        clock.set(WriteLag.WINDOW_MILLIS);
        write(50, LATE);
        assertTrue(lag.behind());

        clock.set(2 * WriteLag.WINDOW_MILLIS); // the queues ran dry: no write since
        assertTrue(lag.behind(), "the second window's late writes, judged now");
        clock.set(3 * WriteLag.WINDOW_MILLIS);
        assertFalse(lag.behind(), "a window without a write: not behind");
    }

    @Test
    void tooFewWritesSayNothing() {
        write(5, LATE);
        clock.set(WriteLag.WINDOW_MILLIS);
        write(1, LATE);
        assertFalse(lag.behind(), "5 writes in a window are too few to judge by");
    }

    @Test
    void withoutALagBoundNothingIsEverBehind() {
        WriteLag unbounded = new WriteLag(Long.MAX_VALUE, () -> clock.getAsLong() * 1_000_000);
        for (int i = 0; i < 100; i++) {
            unbounded.written(TimeUnit.SECONDS.toNanos(60));
        }
        clock.set(WriteLag.WINDOW_MILLIS);
        unbounded.written(TimeUnit.SECONDS.toNanos(60));
        assertFalse(unbounded.behind());
    }

    private void write(int n, long ageNanos) {
        for (int i = 0; i < n; i++) {
            lag.written(ageNanos);
        }
    }
}
