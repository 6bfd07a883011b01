package dev.runnel.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a request comes from, with exact header strings: forged hops, proxy chains, RFC 7239, IPv6. */
class ClientAddressTest {
    private static final ClientAddress NONE = ClientAddress.trusting(List.of());
    private static final ClientAddress PROXIES = ClientAddress.trusting(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8",
            "::1"));

    @Test
    void withoutTrustedProxiesTheHeadersAreIgnored() {
        assertEquals("203.0.113.5", NONE.of("203.0.113.5", List.of("for=198.51.100.1"), List.of("198.51.100.2")));
        assertEquals("127.0.0.1", NONE.of("127.0.0.1", List.of(), List.of("198.51.100.2")));
    }

    @Test
    void anUntrustedPeerCannotChooseItsAddress() {
        assertEquals("203.0.113.5", PROXIES.of("203.0.113.5", List.of(), List.of("10.0.0.1")));
        assertEquals("203.0.113.5", PROXIES.of("203.0.113.5", List.of("for=10.0.0.1"), List.of()));
    }

    @Test
    void theClientIsTheRightmostUntrustedHop() {
        assertEquals("198.51.100.7", PROXIES.of("10.0.0.2", List.of(), List.of("198.51.100.7")));
        assertEquals("198.51.100.7", PROXIES.of("10.0.0.2", List.of(), List.of("1.2.3.4, 198.51.100.7, 10.9.9.9")),
                "what the client wrote itself, further left, is never reached");
        assertEquals("198.51.100.7", PROXIES.of("10.0.0.2", List.of(), List.of("forged", "198.51.100.7, 192.0.2.7")),
                "several header lines read as one list");
        assertEquals("10.1.1.1", PROXIES.of("10.0.0.2", List.of(), List.of("10.1.1.1, 10.2.2.2")),
                "every hop trusted: the leftmost");
        assertEquals("10.0.0.2", PROXIES.of("10.0.0.2", List.of(), List.of()), "a trusted peer that forwarded nothing");
        assertEquals("10.0.0.3", PROXIES.of("10.0.0.2", List.of(), List.of("198.51.100.7, unknown, 10.0.0.3")),
                "a hop that is no address is answered for by the trusted hop that saw it");
    }

    @Test
    void forwardedHeadersOfRfc7239AreReadAndWinOverXForwardedFor() {
        assertEquals("2001:db8:cafe:0:0:0:0:17", PROXIES.of("::1",
                List.of("for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\""), List.of("9.9.9.9")));
        assertEquals("198.51.100.7", PROXIES.of("10.0.0.2", List.of("For=\"198.51.100.7:4711\"", "for=10.1.2.3;proto=https"),
                List.of()));
        assertEquals("10.0.0.2", PROXIES.of("10.0.0.2", List.of("for=_hidden"), List.of()));
        assertEquals("10.0.0.2", PROXIES.of("10.0.0.2", List.of("by=10.0.0.1"), List.of()));
    }

    @Test
    void ipv6RangesAndMappedIpv4AddressesMatch() {
        assertEquals("198.51.100.7", PROXIES.of("fd12::1", List.of(), List.of("198.51.100.7")));
        assertEquals("198.51.100.7", PROXIES.of("::ffff:10.0.0.2", List.of(), List.of("198.51.100.7")));
        assertEquals("fe80:0:0:0:0:0:0:1", PROXIES.of("fe80::1", List.of(), List.of("198.51.100.7")), "not trusted");
    }

    @Test
    void hostNamesAreNeverLookedUpAndBadRangesRefusedAtStart() {
        assertEquals(null, ClientAddress.literal("localhost"));
        assertEquals(null, ClientAddress.literal("999.1.1.1"));
        assertEquals(null, ClientAddress.literal("example.com:80"));
        for (String bad : List.of("10.0.0.0/33", "fd00::/129", "localhost", "10.0.0.0/x", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClientAddress.trusting(List.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("runnel.proxies.trusted: "), e.getMessage());
        }
    }
}
