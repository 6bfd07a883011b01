package dev.runnel.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A subscriber of Runnel's {@code /ws} in the {@link LoadClient}: the HTTP/1.1 upgrade (RFC 6455
 * section 4, its {@code Sec-WebSocket-Accept} checked), then one masked {@code subscribe} text frame
 * (with the last id seen as {@code lastEventId} when it reconnects), then the server's unmasked frames:
 * text messages (fragments joined) read as JSON, pings answered with pongs, a close answered with a
 * close and the connection ended (the client reconnects as an event stream's does). The connection
 * counts as open at the {@code connected} message, when the subscription exists; each {@code event}
 * message goes through the same checks as an SSE event.
 *
 * <p>Threading: confined to the client's selector thread.
 */
final class WebSocketConnection extends StreamConnection {
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_MESSAGE = 1 << 20;
    private static final int TEXT = 1;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;

    private String key;
    private byte[] in = new byte[1024];   // bytes of frames not yet complete
    private int inLength;
    private byte[] message = new byte[256]; // the text message being joined from fragments
    private int messageLength;

    WebSocketConnection(LoadClient client, int index, int[] topics, boolean slow) {
        super(client, index, topics, slow);
    }

    @Override
    byte[] request() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        key = Base64.getEncoder().encodeToString(nonce);
        inLength = 0;
        messageLength = 0;
        return ("GET " + client.path + " HTTP/1.1\r\nHost: " + client.host + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    boolean responseHead(int status, String head) {
        if (status != 101) {
            client.refused(this, status);
            return false;
        }
        if (!accept(key).equals(HttpResponseReader.header(head, "sec-websocket-accept"))) {
            client.protocolError(this, "upgrade answered without the right Sec-WebSocket-Accept");
            return false;
        }
        startBody(""); // no length, no chunks: the frames follow up to the close
        JsonObject subscribe = new JsonObject();
        subscribe.addProperty("type", "subscribe");
        JsonArray names = new JsonArray();
        for (int t : topics) {
            names.add("t" + t);
        }
        subscribe.add("topics", names);
        String cursor = lastEventId();
        if (!cursor.isEmpty()) {
            subscribe.addProperty("lastEventId", cursor);
        }
        return send(TEXT, subscribe.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    boolean body(byte[] bytes, int offset, int length) {
        in = append(in, inLength, bytes, offset, length);
        inLength += length;
        int p = 0;
        boolean going = true;
        while (going && inLength - p >= 2) {
            int b0 = in[p] & 0xff;
            int b1 = in[p + 1] & 0xff;
            if ((b1 & 0x80) != 0) {
                client.protocolError(this, "masked frame from the server");
                return false;
            }
            long n = b1 & 0x7f;
            int head = 2;
            if (n == 126) {
                if (inLength - p < 4) {
                    break;
                }
                n = (in[p + 2] & 0xff) << 8 | in[p + 3] & 0xff;
                head = 4;
            } else if (n == 127) {
                if (inLength - p < 10) {
                    break;
                }
                n = 0;
                for (int i = 2; i < 10; i++) {
                    n = n << 8 | in[p + i] & 0xff;
                }
                head = 10;
            }
            if (n > MAX_MESSAGE) {
                client.protocolError(this, "frame of " + n + " bytes");
                return false;
            }
            if (inLength - p - head < n) {
                break;
            }
            going = frame((b0 & 0x80) != 0, b0 & 0x0f, p + head, (int) n);
            p += head + (int) n;
        }
        System.arraycopy(in, p, in, 0, inLength - p);
        inLength -= p;
        return going;
    }

    /** One whole frame at {@code in[from, from + length)}; false ends the connection. */
    private boolean frame(boolean fin, int opcode, int from, int length) {
        switch (opcode) {
            case 0, TEXT -> {
                if (messageLength + length > MAX_MESSAGE) {
                    client.protocolError(this, "message over " + MAX_MESSAGE + " bytes");
                    return false;
                }
                message = append(message, messageLength, in, from, length);
                messageLength += length;
                if (fin) {
                    String text = new String(message, 0, messageLength, StandardCharsets.UTF_8);
                    messageLength = 0;
                    return message(text);
                }
                return true;
            }
            case PING -> {
                return send(PONG, Arrays.copyOfRange(in, from, from + length));
            }
            case PONG -> {
                return true;
            }
            case CLOSE -> {
                send(CLOSE, Arrays.copyOfRange(in, from, from + Math.min(2, length))); // echo the code
                return false;
            }
            default -> {
                client.protocolError(this, "frame with opcode " + opcode);
                return false;
            }
        }
    }

    /** A server message (README, "GET /ws"); false ends the connection. */
    private boolean message(String text) {
        JsonObject m = JsonParser.parseString(text).getAsJsonObject();
        switch (m.get("type").getAsString()) {
            case "connected" -> {
                cursor(string(m, "cursor"));
                if (!open) {
                    open = true;
                    client.opened(this);
                }
            }
            case "event" -> {
                if ("message".equals(string(m, "event"))) {
                    received(string(m, "data"), string(m, "id"));
                }
            }
            case "cursor" -> cursor(string(m, "id"));
            case "reset", "end" -> { } // Runnel's own: a fan-out of plain events has neither
            default -> {
                client.protocolError(this, "message " + text);
                return false;
            }
        }
        return true;
    }

    private static String string(JsonObject m, String name) {
        JsonElement e = m.get(name);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    /** Writes one masked frame (client frames must be, RFC 6455 section 5.3); false when the socket failed. */
    private boolean send(int opcode, byte[] payload) {
        int n = payload.length;
        int head = n < 126 ? 2 : 4;
        byte[] frame = new byte[head + 4 + n];
        frame[0] = (byte) (0x80 | opcode);
        if (n < 126) {
            frame[1] = (byte) (0x80 | n);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        System.arraycopy(mask, 0, frame, head, 4);
        for (int i = 0; i < n; i++) {
            frame[head + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        try {
            write(frame);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
