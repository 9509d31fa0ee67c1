package dev.bjoern.web;

import dev.bjoern.Environ;
import dev.bjoern.WsgiApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Middleware that believes a reverse proxy's {@code X-Forwarded-*} headers, as werkzeug's {@code ProxyFix}:
 * for each header, the number of proxies (hops) trusted to set it. Every proxy appends to the list, so with
 * N trusted hops the N-th value from the right is the one the outermost trusted proxy saw; values further left
 * came from the client and are ignored. A list shorter than N, or N = 0, leaves environ as it was.
 *
 * <table>
 * <caption>What each header rewrites</caption>
 * <tr><th>Header</th><th>Default hops</th><th>Rewrites</th></tr>
 * <tr><td>{@code X-Forwarded-For}</td><td>1</td><td>{@code REMOTE_ADDR}</td></tr>
 * <tr><td>{@code X-Forwarded-Proto}</td><td>1</td><td>{@code wsgi.url_scheme}</td></tr>
 * <tr><td>{@code X-Forwarded-Host}</td><td>0</td><td>{@code HTTP_HOST}; {@code SERVER_NAME} (IPv6 without
 *     brackets, as SPEC.md 2 has it) and, when the value has a port, {@code SERVER_PORT}</td></tr>
 * <tr><td>{@code X-Forwarded-Port}</td><td>0</td><td>{@code SERVER_PORT}, and the port of {@code HTTP_HOST}
 *     (applied after the host)</td></tr>
 * <tr><td>{@code X-Forwarded-Prefix}</td><td>0</td><td>{@code SCRIPT_NAME}: percent-decoded as SPEC.md 2 has
 *     it, {@code /} added in front when missing, trailing {@code /} removed</td></tr>
 * </table>
 *
 * <p>The defaults are werkzeug's: one proxy in front that sets For and Proto. Before rewriting, the values of
 * {@code REMOTE_ADDR}, {@code wsgi.url_scheme}, {@code HTTP_HOST}, {@code SERVER_NAME}, {@code SERVER_PORT} and
 * {@code SCRIPT_NAME} are copied to {@link #ORIGINAL_PREFIX} plus the key ({@code bjoern.proxy.orig.REMOTE_ADDR}
 * and so on; a key environ lacks is not copied). Lists are split at commas, elements trimmed, empty ones
 * dropped. Only trust as many hops as there are proxies you run: a client can send any of these headers.
 * Immutable; each setter returns a new instance.
 *
 * <pre>{@code
 * WsgiApplication served = ProxyHeaders.defaults().forwardedHost(1).wrap(app);
 * }</pre>
 */
public final class ProxyHeaders implements Middleware {
    /** The environ keys holding the values before the rewrite start with this: {@code bjoern.proxy.orig.}. */
    public static final String ORIGINAL_PREFIX = "bjoern.proxy.orig.";

    private static final String HTTP_HOST = Environ.HTTP_PREFIX + "HOST";
    private static final List<String> ORIGINALS = List.of(Environ.REMOTE_ADDR, Environ.WSGI_URL_SCHEME, HTTP_HOST,
            Environ.SERVER_NAME, Environ.SERVER_PORT, Environ.SCRIPT_NAME);

    private final int forHops;
    private final int protoHops;
    private final int hostHops;
    private final int portHops;
    private final int prefixHops;

    private ProxyHeaders(int forHops, int protoHops, int hostHops, int portHops, int prefixHops) {
        this.forHops = forHops;
        this.protoHops = protoHops;
        this.hostHops = hostHops;
        this.portHops = portHops;
        this.prefixHops = prefixHops;
    }

    /**
     * Trusts one hop for {@code X-Forwarded-For} and {@code X-Forwarded-Proto}, none for the others.
     *
     * @return the default middleware
     */
    public static ProxyHeaders defaults() {
        return new ProxyHeaders(1, 1, 0, 0, 0);
    }

    /**
     * Sets the hops trusted for {@code X-Forwarded-For}.
     *
     * @param hops 0 or more; 0 ignores the header
     * @return a copy with that setting
     * @throws IllegalArgumentException for a negative count
     */
    public ProxyHeaders forwardedFor(int hops) {
        return new ProxyHeaders(check("X-Forwarded-For", hops), protoHops, hostHops, portHops, prefixHops);
    }

    /**
     * Sets the hops trusted for {@code X-Forwarded-Proto}.
     *
     * @param hops 0 or more; 0 ignores the header
     * @return a copy with that setting
     * @throws IllegalArgumentException for a negative count
     */
    public ProxyHeaders forwardedProto(int hops) {
        return new ProxyHeaders(forHops, check("X-Forwarded-Proto", hops), hostHops, portHops, prefixHops);
    }

    /**
     * Sets the hops trusted for {@code X-Forwarded-Host}.
     *
     * @param hops 0 or more; 0 ignores the header
     * @return a copy with that setting
     * @throws IllegalArgumentException for a negative count
     */
    public ProxyHeaders forwardedHost(int hops) {
        return new ProxyHeaders(forHops, protoHops, check("X-Forwarded-Host", hops), portHops, prefixHops);
    }

    /**
     * Sets the hops trusted for {@code X-Forwarded-Port}.
     *
     * @param hops 0 or more; 0 ignores the header
     * @return a copy with that setting
     * @throws IllegalArgumentException for a negative count
     */
    public ProxyHeaders forwardedPort(int hops) {
        return new ProxyHeaders(forHops, protoHops, hostHops, check("X-Forwarded-Port", hops), prefixHops);
    }

    /**
     * Sets the hops trusted for {@code X-Forwarded-Prefix}.
     *
     * @param hops 0 or more; 0 ignores the header
     * @return a copy with that setting
     * @throws IllegalArgumentException for a negative count
     */
    public ProxyHeaders forwardedPrefix(int hops) {
        return new ProxyHeaders(forHops, protoHops, hostHops, portHops, check("X-Forwarded-Prefix", hops));
    }

    /**
     * Wraps {@code app} so that it sees environ after {@link #apply}.
     *
     * @param app the application
     * @return an application that rewrites environ, then calls {@code app}
     */
    @Override
    public WsgiApplication wrap(WsgiApplication app) {
        Objects.requireNonNull(app, "app must not be null");
        return (environ, startResponse) -> {
            apply(environ);
            return app.call(environ, startResponse);
        };
    }

    /**
     * Rewrites environ in place as the class describes, for a caller that is not a {@link Middleware} chain.
     *
     * @param environ a request's environ
     */
    public void apply(Map<String, Object> environ) {
        for (String key : ORIGINALS) {
            Object original = environ.get(key);
            if (original != null) {
                environ.put(ORIGINAL_PREFIX + key, original);
            }
        }
        String remoteAddr = trusted(environ, "HTTP_X_FORWARDED_FOR", forHops);
        if (remoteAddr != null) {
            environ.put(Environ.REMOTE_ADDR, remoteAddr);
        }
        String scheme = trusted(environ, "HTTP_X_FORWARDED_PROTO", protoHops);
        if (scheme != null) {
            environ.put(Environ.WSGI_URL_SCHEME, scheme);
        }
        String host = trusted(environ, "HTTP_X_FORWARDED_HOST", hostHops);
        if (host != null) {
            environ.put(HTTP_HOST, host);
            int colon = portColon(host);
            environ.put(Environ.SERVER_NAME, unbracket(colon < 0 ? host : host.substring(0, colon)));
            if (colon >= 0) {
                environ.put(Environ.SERVER_PORT, host.substring(colon + 1));
            }
        }
        String port = trusted(environ, "HTTP_X_FORWARDED_PORT", portHops);
        if (port != null) {
            String hostHeader = Environs.string(environ, HTTP_HOST);
            if (hostHeader != null && !hostHeader.isEmpty()) {
                int colon = portColon(hostHeader);
                environ.put(HTTP_HOST, (colon < 0 ? hostHeader : hostHeader.substring(0, colon)) + ":" + port);
            }
            environ.put(Environ.SERVER_PORT, port);
        }
        String prefix = trusted(environ, "HTTP_X_FORWARDED_PREFIX", prefixHops);
        if (prefix != null) {
            environ.put(Environ.SCRIPT_NAME, scriptName(prefix));
        }
    }

    /** The value {@code hops} from the right of a comma-separated list header, or null. */
    private static String trusted(Map<String, Object> environ, String key, int hops) {
        String header = Environs.string(environ, key);
        if (hops == 0 || header == null) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (String value : header.split(",")) {
            value = HttpSyntax.trimOws(value);
            if (!value.isEmpty()) {
                values.add(value);
            }
        }
        return values.size() >= hops ? values.get(values.size() - hops) : null;
    }

    /** Where {@code host:port} splits; -1 without a port, including a bracketed IPv6 address alone. */
    private static int portColon(String host) {
        return host.endsWith("]") ? -1 : host.lastIndexOf(':');
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** A prefix as SCRIPT_NAME holds it: each %XY the char U+00XY, a leading '/', no trailing '/'. */
    private static String scriptName(String prefix) {
        StringBuilder name = new StringBuilder(prefix.length() + 1);
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            int high = i + 2 < prefix.length() ? HttpSyntax.hex(prefix.charAt(i + 1)) : -1;
            int low = i + 2 < prefix.length() ? HttpSyntax.hex(prefix.charAt(i + 2)) : -1;
            if (c == '%' && high >= 0 && low >= 0) {
                name.append((char) (high << 4 | low));
                i += 2;
            } else {
                name.append(c);
            }
        }
        if (name.length() > 0 && name.charAt(0) != '/') {
            name.insert(0, '/');
        }
        while (name.length() > 0 && name.charAt(name.length() - 1) == '/') {
            name.setLength(name.length() - 1);
        }
        return name.toString();
    }

    private static int check(String header, int hops) {
        if (hops < 0) {
            throw new IllegalArgumentException(header + " hops must be 0 or more, got " + hops);
        }
        return hops;
    }
}
