package dev.runnel.bench;

import com.google.gson.JsonObject;
import java.util.List;

/**
 * A server under test, running in processes of its own on loopback: Runnel on embedded Jetty or on a
 * standalone Jetty, the baseline, or nchan. The harness measures it from outside: the HTTP shape of
 * its two endpoints ({@link Endpoints}) and its counters ({@link #stats}).
 *
 * <p>{@link #stats} answers a JSON object with, where the server knows them: {@code rss},
 * {@code peakRss}, {@code cpuNanos}, {@code userNanos}, {@code systemNanos}, {@code threads}, {@code fds},
 * {@code heapUsed}, {@code gcMillis} (JVMs), {@code connections}, {@code eventsPublished},
 * {@code framesDelivered}, {@code writes} and {@code fanOutBacklog} (Runnel's {@code /stats}).
 *
 * <p>Threading: driven by the coordinator; {@link #stats} may also be called by a sampler thread.
 */
interface ServerProcess extends AutoCloseable {
    int port();

    /** Where the load client {@code client} (0, 1, …) subscribes: {@link #port} unless the server has several nodes. */
    default int subscribePort(int client) {
        return port();
    }

    /** Where the publishers publish: {@link #port} unless the server has several nodes. */
    default int publishPort() {
        return port();
    }

    Endpoints endpoints();

    /** The server's process ids (all of them: nginx's master and worker). */
    List<Long> pids();

    /** The counters; after a full collection when {@code gc} (JVMs only). */
    JsonObject stats(boolean gc) throws Exception;

    @Override
    void close();

    /**
     * How the load speaks to a server: {@code GET <subscribe>?topic=…} (with {@code topic=a&topic=b}
     * or, when {@code commaTopics}, {@code topic=a,b}) and {@code POST <publish>}: Runnel's JSON body
     * {@code {"topic","data"}}, or, when {@code rawPublish}, the data itself to {@code <publish>?topic=t}.
     */
    record Endpoints(String subscribe, String publish, boolean commaTopics, boolean rawPublish) {}
}
