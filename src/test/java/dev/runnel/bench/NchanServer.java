package dev.runnel.bench;

import com.google.gson.JsonObject;
import dev.runnel.deploy.FreePort;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * nchan (the pub/sub module for nginx, in C) as the reference server: Debian's {@code nginx-light}
 * with {@code libnginx-mod-nchan}, one worker, on loopback, from a configuration generated into the
 * run's directory. It speaks the harness's shape: {@code GET /events?topic=a,b} is an EventSource
 * subscriber (nchan resumes from {@code Last-Event-ID} by itself; its ids are {@code <time>:<tag>},
 * with one tag per channel for several topics), {@code POST /publish?topic=t} takes the data as the
 * body. Each channel buffers as many messages as Runnel's log holds ({@code runnel.log.size}) for as
 * long ({@code runnel.log.maxAge}, an hour by default); a new subscriber starts at the newest message,
 * as one without a cursor does on Runnel.
 *
 * <p>Counters come from {@code nchan_stub_status} and {@code /proc} (master and worker summed).
 *
 * <p>Threading: {@link #stats} from any thread.
 */
final class NchanServer implements ServerProcess {
    static final Path NGINX = Path.of(System.getProperty("runnel.bench.nginx", "/usr/sbin/nginx"));
    static final Path MODULE = Path.of(System.getProperty("runnel.bench.nchanModule",
            "/usr/lib/nginx/modules/ngx_nchan_module.so"));
    static final String INSTALL = "apt-get install nginx-light libnginx-mod-nchan";

    private final Process master;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Thread reaper;

    private NchanServer(Process master, int port) {
        this.master = master;
        this.port = port;
        // Should the harness itself be stopped, take nginx down with it.
        this.reaper = new Thread(() -> {
            master.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            master.destroyForcibly();
        }, "bench-stop-nchan");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Why nchan cannot run here, or null when it can. */
    static String unavailableReason() {
        if (Files.isExecutable(NGINX) && Files.isReadable(MODULE)) {
            return null;
        }
        return "nchan needs nginx at " + NGINX + " and its module at " + MODULE + " (Debian: " + INSTALL + ")";
    }

    static NchanServer start(Bench.Options options, File logDir) throws IOException, InterruptedException {
        Path dir = logDir.toPath().resolve("nchan-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir.resolve("temp"));
        int port = FreePort.pick();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(dir, port, options), StandardCharsets.UTF_8);
        // -g "daemon off": the master stays our child, so it and its worker go when the run ends.
        Process master = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(new File(logDir, "nchan-" + port + ".log")).start();
        NchanServer server = new NchanServer(master, port);
        try {
            server.awaitStatus();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The configuration: one worker, loopback, pub/sub endpoints in the harness's shape, a status page. */
    static String config(Path dir, int port, Bench.Options options) {
        String temp = dir.resolve("temp").toString();
        String sendBuffer = options.sendBuffer > 0 ? " sndbuf=" + options.sendBuffer : "";
        return String.format(Locale.ROOT, """
                load_module %s;
                worker_processes 1;
                worker_rlimit_nofile 20000;
                daemon off;
                pid %s;
                error_log %s warn;
                events {
                    worker_connections 19900;
                    multi_accept on;
                }
                http {
                    access_log off;
                    client_body_temp_path %s/body;
                    proxy_temp_path %s/proxy;
                    fastcgi_temp_path %s/fastcgi;
                    uwsgi_temp_path %s/uwsgi;
                    scgi_temp_path %s/scgi;
                    client_body_buffer_size 64k;
                    keepalive_requests 1000000000;
                    keepalive_timeout 300s;
                    nchan_shared_memory_size 512m;
                    server {
                        listen 127.0.0.1:%d backlog=4096%s;
                        location = /events {
                            nchan_subscriber eventsource;
                            nchan_channel_id $arg_topic;
                            nchan_channel_id_split_delimiter ",";
                            nchan_subscriber_first_message newest;
                            nchan_eventsource_ping_interval %d;
                            nchan_eventsource_ping_event "";
                            nchan_eventsource_ping_comment "heartbeat";
                        }
                        location = /publish {
                            nchan_publisher http;
                            nchan_channel_id $arg_topic;
                            nchan_message_buffer_length %d;
                            nchan_message_timeout %ds;
                        }
                        location = /status {
                            nchan_stub_status;
                        }
                    }
                }
                """, MODULE, dir.resolve("nginx.pid"), dir.resolve("error.log"), temp, temp, temp, temp, temp, port,
                sendBuffer, options.heartbeatSeconds, options.nchanBuffer(), options.logMaxAgeSeconds());
    }

    private void awaitStatus() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IllegalStateException("nginx exited with " + master.exitValue() + " (see its log)");
            }
            try {
                if (status().containsKey("subscribers") && pids().size() > 1) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // polling a process we started for its readiness; nothing to wait on
        }
        throw new IllegalStateException("nchan did not answer GET /status within 30 s");
    }

    /** {@code nchan_stub_status}: "name: value" lines. */
    private java.util.Map<String, String> status() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        java.util.Map<String, String> values = new java.util.HashMap<>();
        for (String line : r.body().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return values;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Endpoints endpoints() {
        return new Endpoints("/events", "/publish", true, true);
    }

    /** The master and its worker. */
    @Override
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(master.pid());
        master.toHandle().children().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    @Override
    public JsonObject stats(boolean gc) throws IOException, InterruptedException {
        JsonObject s = new JsonObject();
        ProcStats.addTo(s, pids());
        java.util.Map<String, String> status = status();
        s.addProperty("connections", Long.parseLong(status.getOrDefault("subscribers", "0")));
        s.addProperty("eventsPublished", Long.parseLong(status.getOrDefault("total published messages", "0")));
        s.addProperty("storedMessages", Long.parseLong(status.getOrDefault("stored messages", "0")));
        return s;
    }

    @Override
    public void close() {
        // SIGTERM: nginx's fast shutdown; the worker follows its master.
        master.destroy();
        try {
            if (!master.waitFor(20, TimeUnit.SECONDS)) {
                master.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            master.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
