package dev.runnel.web.ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What went wrong lately, for the admin console's list of evictions and rejections as they happen: the
 * newest {@value #CAPACITY}, each numbered, so that the console's feed hands on only those it has not
 * sent yet and no more than a screenful per sample, however many arrive.
 *
 * <p>Threading: thread-safe.
 */
public final class Happenings {
    static final int CAPACITY = 200;

    /**
     * One happening.
     *
     * @param kind    {@code eviction} or {@code rejection}
     * @param reason  an eviction's reason ({@code queue}, {@code write_timeout}), a rejection's status
     * @param address the client's address
     * @param what    the stream's id, or the request's method and path
     * @param detail  for people
     */
    public record Happening(long seq, long timeMillis, String kind, String reason, String address, String what,
            String detail) {}

    private final ArrayDeque<Happening> recent = new ArrayDeque<>();
    private long seq; // guarded by this

    public synchronized void add(String kind, String reason, String address, String what, String detail) {
        recent.addLast(new Happening(++seq, System.currentTimeMillis(), kind, reason, address, what, detail));
        if (recent.size() > CAPACITY) {
            recent.removeFirst();
        }
    }

    /** The number of the newest happening so far (0: none). */
    public synchronized long last() {
        return seq;
    }

    /** The newest happenings after {@code afterSeq}, at most {@code max}, oldest first. */
    public synchronized List<Happening> after(long afterSeq, int max) {
        List<Happening> newer = new ArrayList<>();
        for (var it = recent.descendingIterator(); it.hasNext() && newer.size() < max; ) {
            Happening h = it.next();
            if (h.seq() <= afterSeq) {
                break;
            }
            newer.add(0, h);
        }
        return newer;
    }
}
