package dev.bjoern.web;

import dev.bjoern.server.ResponseRules;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code Set-Cookie} header with the attributes of RFC 6265bis, checked as it is built: a bad name, value or
 * attribute is refused with an {@link IllegalArgumentException} naming it, so no CR, LF or {@code ;} reaches
 * the header.
 *
 * <pre>{@code
 * headers.add(SetCookie.of("session", id).path("/").secure().httpOnly().sameSite(SetCookie.SameSite.LAX).header());
 * }</pre>
 *
 * <p>Attributes are written in the order Expires, Max-Age, Domain, Path, Secure, HttpOnly, SameSite,
 * Partitioned. A builder: each method changes this object and returns it; not for use by two threads at once.
 */
public final class SetCookie {
    /** The SameSite attribute's values. */
    public enum SameSite {
        /** {@code SameSite=Strict}: sent only with requests from the cookie's own site. */
        STRICT("Strict"),
        /** {@code SameSite=Lax}: also with top-level navigations from other sites. */
        LAX("Lax"),
        /** {@code SameSite=None}: with every request; browsers need {@code Secure} with it. */
        NONE("None");

        private final String text;

        SameSite(String text) {
            this.text = text;
        }
    }

    // IMF-fixdate (RFC 9110 5.6.7); DateTimeFormatter.RFC_1123_DATE_TIME would not pad the day to two digits.
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final String name;
    private final String value;
    private Instant expires;
    private Duration maxAge;
    private String domain;
    private String path;
    private boolean secure;
    private boolean httpOnly;
    private SameSite sameSite;
    private boolean partitioned;

    private SetCookie(String name, String value) {
        this.name = name;
        this.value = value;
    }

    /**
     * A cookie without attributes.
     *
     * @param name an RFC 9110 token (letters, digits and {@code !#$%&'*+-.^_`|~})
     * @param value RFC 6265 cookie-octets (printable ASCII but space, {@code " , ; \}), possibly in double
     *     quotes, or {@code ""}; encode anything else (Base64url, percent-encoding) before
     * @return the cookie, to add attributes to
     * @throws IllegalArgumentException naming the bad name or value
     */
    public static SetCookie of(String name, String value) {
        if (name == null || !ResponseRules.isToken(name)) {
            throw new IllegalArgumentException("cookie name must be a token (letters, digits and "
                    + "!#$%&'*+-.^_`|~), got " + HttpSyntax.quote(name));
        }
        if (value == null || !isCookieValue(value)) {
            throw new IllegalArgumentException("cookie " + name + " value must be cookie-octets (printable ASCII but"
                    + " space, '\"', ',', ';' and '\\'), optionally in double quotes, got " + HttpSyntax.quote(value));
        }
        return new SetCookie(name, value);
    }

    /**
     * Sets {@code Expires}, written as an IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}).
     *
     * @param when the moment the cookie expires
     * @return this
     */
    public SetCookie expires(Instant when) {
        this.expires = Objects.requireNonNull(when, "cookie Expires must not be null");
        return this;
    }

    /**
     * Sets {@code Max-Age}, in whole seconds (fractions dropped); browsers prefer it to {@code Expires}. Zero
     * deletes the cookie.
     *
     * @param age zero or more
     * @return this
     * @throws IllegalArgumentException for a negative age
     */
    public SetCookie maxAge(Duration age) {
        if (age == null || age.isNegative()) {
            throw new IllegalArgumentException("cookie Max-Age must be zero or more, got " + age);
        }
        this.maxAge = age;
        return this;
    }

    /**
     * Sets {@code Domain}: the cookie also goes to the domain's subdomains.
     *
     * @param domain a host name ({@code "example.com"}), ASCII without control characters or {@code ;}
     * @return this
     * @throws IllegalArgumentException for an empty domain or one with other characters
     */
    public SetCookie domain(String domain) {
        this.domain = attribute("Domain", domain);
        return this;
    }

    /**
     * Sets {@code Path}: the cookie goes only to requests under it.
     *
     * @param path begins with {@code /}; ASCII without control characters or {@code ;}
     * @return this
     * @throws IllegalArgumentException for a path that does not begin with {@code /} or has other characters
     */
    public SetCookie path(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("cookie Path must begin with '/', got " + HttpSyntax.quote(path));
        }
        this.path = attribute("Path", path);
        return this;
    }

    /**
     * Adds {@code Secure}: sent over HTTPS only.
     *
     * @return this
     */
    public SetCookie secure() {
        this.secure = true;
        return this;
    }

    /**
     * Adds {@code HttpOnly}: hidden from scripts.
     *
     * @return this
     */
    public SetCookie httpOnly() {
        this.httpOnly = true;
        return this;
    }

    /**
     * Sets {@code SameSite}. {@link SameSite#NONE} needs {@link #secure()}, checked by {@link #headerValue()}.
     *
     * @param sameSite the value
     * @return this
     */
    public SetCookie sameSite(SameSite sameSite) {
        this.sameSite = Objects.requireNonNull(sameSite, "cookie SameSite must not be null");
        return this;
    }

    /**
     * Adds {@code Partitioned} (CHIPS): kept apart per top-level site. Needs {@link #secure()}, checked by
     * {@link #headerValue()}.
     *
     * @return this
     */
    public SetCookie partitioned() {
        this.partitioned = true;
        return this;
    }

    /**
     * The header's value. Refuses the combinations browsers drop silently, so they fail here rather than go
     * missing: {@code SameSite=None} or {@code Partitioned} without {@code Secure}, a {@code __Secure-} name
     * without {@code Secure}, a {@code __Host-} name without {@code Secure}, with a {@code Domain} or with a
     * {@code Path} other than {@code /}.
     *
     * @return {@code name=value} and the attributes set, joined with {@code "; "}
     * @throws IllegalStateException naming the cookie and the rule it breaks
     */
    public String headerValue() {
        if (!secure) {
            if (sameSite == SameSite.NONE) {
                throw refused("SameSite=None needs Secure");
            }
            if (partitioned) {
                throw refused("Partitioned needs Secure");
            }
            if (name.startsWith("__Secure-") || name.startsWith("__Host-")) {
                throw refused("a name beginning with " + name.substring(0, name.indexOf('-') + 1) + " needs Secure");
            }
        }
        if (name.startsWith("__Host-") && (domain != null || !"/".equals(path))) {
            throw refused("a name beginning with __Host- needs Path=/ and no Domain");
        }
        StringBuilder header = new StringBuilder(name).append('=').append(value);
        if (expires != null) {
            header.append("; Expires=").append(IMF_FIXDATE.format(expires));
        }
        if (maxAge != null) {
            header.append("; Max-Age=").append(maxAge.getSeconds());
        }
        if (domain != null) {
            header.append("; Domain=").append(domain);
        }
        if (path != null) {
            header.append("; Path=").append(path);
        }
        if (secure) {
            header.append("; Secure");
        }
        if (httpOnly) {
            header.append("; HttpOnly");
        }
        if (sameSite != null) {
            header.append("; SameSite=").append(sameSite.text);
        }
        if (partitioned) {
            header.append("; Partitioned");
        }
        return header.toString();
    }

    /**
     * The header for start_response's list.
     *
     * @return {@code Set-Cookie} and {@link #headerValue()}
     * @throws IllegalStateException as {@link #headerValue()}
     */
    public Map.Entry<String, String> header() {
        return Map.entry("Set-Cookie", headerValue());
    }

    /**
     * The same as {@link #headerValue()}.
     *
     * @return the header's value
     * @throws IllegalStateException as {@link #headerValue()}
     */
    @Override
    public String toString() {
        return headerValue();
    }

    private IllegalStateException refused(String rule) {
        return new IllegalStateException("cookie " + name + ": " + rule + ", or browsers drop it");
    }

    private String attribute(String attribute, String text) {
        if (text == null || text.isEmpty() || !isAttributeValue(text)) {
            throw new IllegalArgumentException("cookie " + attribute + " must be non-empty ASCII without control"
                    + " characters or ';', got " + HttpSyntax.quote(text));
        }
        return text;
    }

    /** RFC 6265 4.1.1 cookie-value: *cookie-octet or the same in double quotes. */
    private static boolean isCookieValue(String value) {
        String octets = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
        for (int i = 0; i < octets.length(); i++) {
            char c = octets.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** RFC 6265 4.1.1 av-octet: any CHAR except CTLs or ';'. */
    private static boolean isAttributeValue(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == ';') {
                return false;
            }
        }
        return true;
    }
}
