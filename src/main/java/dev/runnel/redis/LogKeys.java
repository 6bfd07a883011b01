package dev.runnel.redis;

/**
 * The names of the shared log's keys in Redis, for one prefix ({@code runnel.redis.prefix}) and one
 * epoch. Every key of an epoch starts with {@code <prefix>:<epoch>:}, so a new epoch starts with
 * nothing and an old one can be dropped by that pattern.
 *
 * <pre>
 * &lt;prefix&gt;:epoch                    string  the current epoch, created once
 * &lt;prefix&gt;:&lt;epoch&gt;:log              stream  one entry per event, id &lt;sequence&gt;-0
 * &lt;prefix&gt;:&lt;epoch&gt;:meta             hash    head (last sequence), oldest (first held), bytes (held)
 * &lt;prefix&gt;:&lt;epoch&gt;:index            list    "&lt;time&gt;:&lt;size&gt;" per held event, oldest first
 * &lt;prefix&gt;:&lt;epoch&gt;:state:&lt;topic&gt;    hash    state key -> "&lt;seq&gt;\n&lt;time&gt;\n&lt;event&gt;\n&lt;data&gt;"
 * &lt;prefix&gt;:&lt;epoch&gt;:finite:&lt;topic&gt;   hash    first, last, end (sequences); expires with the log's window
 * &lt;prefix&gt;:&lt;epoch&gt;:once:&lt;key&gt;       string  "&lt;seq&gt;:&lt;time&gt;" of an idempotent publish; same expiry
 * </pre>
 *
 * <p>Threading: immutable.
 */
record LogKeys(String prefix, String epoch) {
    static String epochKey(String prefix) {
        return prefix + ":epoch";
    }

    String epochKey() {
        return epochKey(prefix);
    }

    String log() {
        return scoped("log");
    }

    String meta() {
        return scoped("meta");
    }

    String index() {
        return scoped("index");
    }

    String state(String topic) {
        return scoped("state:" + topic);
    }

    String finite(String topic) {
        return scoped("finite:" + topic);
    }

    String once(String idempotencyKey) {
        return scoped("once:" + idempotencyKey);
    }

    /** The pattern of every key of this epoch, for {@code SCAN MATCH}. */
    String pattern() {
        return escapeGlob(prefix + ":" + epoch + ":") + "*";
    }

    private String scoped(String name) {
        return prefix + ":" + epoch + ":" + name;
    }

    private static String escapeGlob(String s) {
        return s.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
