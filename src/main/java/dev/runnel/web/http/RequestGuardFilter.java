package dev.runnel.web.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Map;

/**
 * Refuses hostile requests before any endpoint reads them, with a JSON reason: headers larger in
 * all than {@code runnel.request.maxHeaderBytes} (431), a control character in a header value,
 * and a query string that is not strictly {@code %}-encoded UTF-8 or carries a control character
 * (400). Containers are lenient here in different ways (replacement characters, silently dropped
 * parameters); deciding once, here, gives every container the same answer.
 *
 * <p>Threading: stateless; container threads.
 */
public final class RequestGuardFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private final long maxHeaderBytes;

    public RequestGuardFilter(long maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        try {
            checkHeaders(req);
            checkQuery(req.getQueryString());
        } catch (HttpError e) {
            ApiServlet.send(resp, e);
            return;
        }
        chain.doFilter(req, resp);
    }

    private void checkHeaders(HttpServletRequest req) {
        long total = 0;
        for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements();) {
            String name = names.nextElement();
            for (Enumeration<String> values = req.getHeaders(name); values.hasMoreElements();) {
                String value = values.nextElement();
                total += name.length() + value.length() + 4;
                // A tab is allowed inside a header value by HTTP's own grammar.
                int bad = ControlCharacters.indexIn(value, true);
                if (bad >= 0) {
                    throw HttpError.badRequest("header " + name + ": control character "
                            + ControlCharacters.name(value.charAt(bad)) + " (expected: none)");
                }
            }
        }
        if (total > maxHeaderBytes) {
            throw new HttpError(431, "headers-too-large", "request headers: " + total
                    + " bytes (expected: at most " + maxHeaderBytes + ", runnel.request.maxHeaderBytes)");
        }
    }

    static void checkQuery(String query) {
        if (query == null) {
            return;
        }
        for (Map.Entry<String, String> pair : FormBody.pairs(query)) {
            String text = pair.getKey() + pair.getValue();
            int bad = ControlCharacters.indexIn(text, true);
            if (bad >= 0) {
                throw HttpError.badRequest("query parameter \"" + printable(pair.getKey()) + "\": control character "
                        + ControlCharacters.name(text.charAt(bad)) + " (expected: none)");
            }
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(ControlCharacters.is(c) ? '?' : c);
        }
        return b.toString();
    }
}
