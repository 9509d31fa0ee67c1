package dev.bjoern.servlet;

import jakarta.servlet.http.Cookie;
import java.util.Map;

/** A Cookie as a Set-Cookie value (RFC 6265), every attribute included (Path, Max-Age, SameSite...). */
final class SetCookie {
    private SetCookie() {
    }

    static String format(Cookie cookie) {
        StringBuilder value = new StringBuilder(cookie.getName()).append('=');
        if (cookie.getValue() != null) {
            value.append(cookie.getValue());
        }
        // Servlet 6 keeps Domain, Path, Max-Age, Secure and HttpOnly among the attributes, in the order set.
        for (Map.Entry<String, String> attribute : cookie.getAttributes().entrySet()) {
            value.append("; ").append(attribute.getKey());
            if (!attribute.getValue().isEmpty()) {
                value.append('=').append(attribute.getValue());
            }
        }
        return value.toString();
    }
}
