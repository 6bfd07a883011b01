package dev.runnel.web.http;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who a request comes from, for every rule keyed by a client's address (stream limits, rate limits,
 * the loopback rule) and for the logs. By default that is the socket's peer. When the peer is one
 * of the proxies of {@code runnel.proxies.trusted} (addresses and CIDRs, IPv4 and IPv6), the address
 * comes from what the proxies appended: the {@code for=} hops of {@code Forwarded} (RFC 7239) or,
 * without that header, {@code X-Forwarded-For}. Read from the right, each trusted hop vouches for the
 * one to its left; the first untrusted one is the client. What a client wrote itself sits further
 * left and is never reached, so it cannot choose its own address. A hop that is not an address
 * ({@code unknown}, an obfuscated {@code _name}, garbage) is answered by the trusted hop that saw it.
 *
 * <p>Addresses are compared and returned in one form ({@link InetAddress#getHostAddress}): an IPv4
 * address mapped into IPv6 is the IPv4 address. Nothing here resolves a host name.
 *
 * <p>Threading: immutable.
 */
public final class ClientAddress {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");

    private final List<Cidr> trusted;

    /** An address range: the first {@code bits} bits of {@code network}. */
    private record Cidr(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
        }
    }

    private ClientAddress(List<Cidr> trusted) {
        this.trusted = trusted;
    }

    /** Trusting the proxies of {@code entries} ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}, {@code ::1}). */
    public static ClientAddress trusting(List<String> entries) {
        List<Cidr> ranges = new ArrayList<>();
        for (String entry : entries) {
            ranges.add(cidr(entry));
        }
        return new ClientAddress(List.copyOf(ranges));
    }

    private static Cidr cidr(String entry) {
        int slash = entry.indexOf('/');
        InetAddress address = literal(slash < 0 ? entry : entry.substring(0, slash));
        int max = address == null ? 0 : address.getAddress().length * 8;
        int bits = max;
        if (address != null && slash >= 0) {
            try {
                bits = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
        }
        if (address == null || bits < 0 || bits > max) {
            throw new IllegalArgumentException("runnel.proxies.trusted: \"" + entry + "\" (expected: IPv4 or IPv6 "
                    + "addresses or CIDRs, such as 10.0.0.0/8, 192.0.2.7, fd00::/8 or ::1)");
        }
        return new Cidr(address.getAddress(), bits);
    }

    /** The client's address. */
    public String of(HttpServletRequest req) {
        return of(req.getRemoteAddr(), Collections.list(req.getHeaders("Forwarded")),
                Collections.list(req.getHeaders("X-Forwarded-For")));
    }

    /** The client's address for a request from {@code peer} carrying these header lines. */
    String of(String peer, List<String> forwarded, List<String> xForwardedFor) {
        InetAddress peerAddress = literal(peer);
        if (peerAddress == null) {
            return peer == null ? "" : peer;
        }
        if (!isTrusted(peerAddress)) {
            return peerAddress.getHostAddress();
        }
        return resolve(peerAddress, hops(forwarded, xForwardedFor));
    }

    /**
     * True for a request that comes straight from this machine: a loopback peer that is no trusted
     * proxy, and no {@code Forwarded} or {@code X-Forwarded-For} header, which would say that a proxy
     * on this machine passed it on for someone else.
     */
    public boolean isLoopback(HttpServletRequest req) {
        InetAddress peer = literal(req.getRemoteAddr());
        return peer != null && peer.isLoopbackAddress() && !isTrusted(peer)
                && req.getHeader("Forwarded") == null && req.getHeader("X-Forwarded-For") == null;
    }

    private String resolve(InetAddress peer, List<String> hops) {
        InetAddress nearest = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                break;
            }
            if (!isTrusted(hop)) {
                return hop.getHostAddress();
            }
            nearest = hop;
        }
        return nearest.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        for (Cidr range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The hops the proxies recorded, left (first) to right (nearest): Forwarded's for=, else X-Forwarded-For. */
    private static List<String> hops(List<String> forwarded, List<String> xForwardedFor) {
        if (!forwarded.isEmpty()) {
            List<String> hops = new ArrayList<>();
            for (String header : forwarded) {
                for (String element : split(header, ',')) {
                    hops.add(forParameter(element));
                }
            }
            return hops;
        }
        List<String> hops = new ArrayList<>();
        for (String header : xForwardedFor) {
            for (String hop : header.split(",")) {
                hops.add(hop.strip());
            }
        }
        return hops;
    }

    /** The {@code for=} node of one Forwarded element, unquoted; "" when it has none. */
    private static String forParameter(String element) {
        for (String pair : split(element, ';')) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                String value = pair.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1).replace("\\", "");
                }
                return value;
            }
        }
        return "";
    }

    /** Splits on {@code separator} outside quoted strings. */
    private static List<String> split(String value, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.length()) {
                part.append(c);
                c = value.charAt(++i);
            } else if (c == separator && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        parts.add(part.toString());
        return parts;
    }

    /**
     * The address a node names ({@code 192.0.2.7}, {@code 192.0.2.7:4711}, {@code [2001:db8::17]:4711},
     * {@code 2001:db8::17}), or null for anything else. Only literals reach {@link InetAddress}, so no
     * name is ever looked up.
     */
    static InetAddress literal(String node) {
        if (node == null) {
            return null;
        }
        String s = node.strip();
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                return null;
            }
            s = s.substring(1, end);
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
            s = s.substring(0, s.indexOf(':')); // IPv4 with a port
        }
        boolean v4 = IPV4.matcher(s).matches();
        if (v4) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null; // else the JDK would take it for a host name and look it up
                }
            }
        } else if (!IPV6.matcher(s).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
