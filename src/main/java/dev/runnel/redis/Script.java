package dev.runnel.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One Lua script of Runnel's, run by its SHA-1 ({@code EVALSHA}) so that only the digest travels per
 * call. Redis forgets its script cache when it restarts, fails over or is told {@code SCRIPT FLUSH};
 * the answer is then {@code NOSCRIPT}, and the call is repeated as {@code EVAL} with the whole text,
 * which runs it and caches it again. A script answered {@code NOSCRIPT} did not run, so repeating it
 * can never apply it twice.
 *
 * <p>The text is a resource next to this class; scripts of the log get {@code log-prelude.lua}
 * (shared functions) in front.
 *
 * <p>Threading: immutable.
 */
final class Script {
    static final Script APPEND = load("append.lua", true);
    static final Script POSITION = load("position.lua", true);
    static final Script EPOCH = load("epoch.lua", false);
    static final Script TICKET = load("ticket.lua", false);
    static final Script LEASE_KEEP = load("lease-keep.lua", false);
    static final Script LEASE_RELEASE = load("lease-release.lua", false);
    static final Script RUN_CANCEL = load("run-cancel.lua", false);
    static final Script NODE_ANNOUNCE = load("node-announce.lua", false);
    static final Script NODES_LIST = load("nodes-list.lua", false);

    private final String name;
    private final String text;
    private final String sha;

    private Script(String name, String text) {
        this.name = name;
        this.text = text;
        this.sha = sha1(text);
    }

    /** Runs the script, sending its text once more if Redis has forgotten it. */
    Object run(Jedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(text, keys, args);
        }
    }

    /** Queues an {@code EVALSHA} on a pipeline; a {@code NOSCRIPT} answer surfaces from {@link Response#get}. */
    Response<Object> queue(Pipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.evalsha(sha, keys, args);
    }

    /** Queues {@code SCRIPT LOAD} of the text, so that the {@code EVALSHA}s queued after it find it. */
    void queueLoad(Pipeline pipeline) {
        pipeline.sendCommand(Protocol.Command.SCRIPT, "LOAD", text);
    }

    /** Queues the whole text ({@code EVAL}): for the calls a pipeline must repeat after {@code NOSCRIPT}. */
    Response<Object> queueText(Pipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.eval(text, keys, args);
    }

    String sha() {
        return sha;
    }

    private static Script load(String resource, boolean withPrelude) {
        String text = read(resource);
        return new Script(resource, withPrelude ? read("log-prelude.lua") + "\n" + text : text);
    }

    private static String read(String resource) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("script " + resource + " missing next to " + Script.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "Script[" + name + " " + sha + "]";
    }
}
