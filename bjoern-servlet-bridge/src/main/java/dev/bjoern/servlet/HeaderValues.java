package dev.bjoern.servlet;

import jakarta.servlet.http.Cookie;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The request header values the servlet API reads structured: Cookie, Accept-Language, a charset parameter. */
final class HeaderValues {
    private static final Cookie[] NONE = new Cookie[0];

    private HeaderValues() {
    }

    /** {@code a=1; b="2"} as cookies; pairs whose name a Cookie refuses are skipped. */
    static Cookie[] cookies(String header) {
        if (header == null || header.isEmpty()) {
            return NONE;
        }
        List<Cookie> cookies = new ArrayList<>();
        for (String pair : header.split(";")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = pair.substring(0, equals).trim();
            String value = pair.substring(equals + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (name.isEmpty() || name.startsWith("$")) {
                continue;
            }
            try {
                cookies.add(new Cookie(name, value));
            } catch (IllegalArgumentException badName) {
                // A name the servlet API cannot hold; the other cookies still count.
            }
        }
        return cookies.toArray(NONE);
    }

    /** The locales of Accept-Language by falling quality; the JVM's default when there are none. */
    static List<Locale> locales(String header) {
        List<Locale> locales = new ArrayList<>();
        if (header != null) {
            List<Object[]> weighted = new ArrayList<>();
            for (String item : header.split(",")) {
                String[] fields = item.split(";");
                String tag = fields[0].trim();
                if (tag.isEmpty() || tag.equals("*")) {
                    continue;
                }
                double quality = 1;
                for (int i = 1; i < fields.length; i++) {
                    String field = fields[i].trim();
                    if (field.startsWith("q=")) {
                        try {
                            quality = Double.parseDouble(field.substring(2));
                        } catch (NumberFormatException e) {
                            quality = 0;
                        }
                    }
                }
                if (quality > 0) {
                    weighted.add(new Object[] {Locale.forLanguageTag(tag), quality});
                }
            }
            weighted.sort(Comparator.comparingDouble(entry -> -(Double) entry[1])); // stable: ties keep their order
            for (Object[] entry : weighted) {
                locales.add((Locale) entry[0]);
            }
        }
        if (locales.isEmpty()) {
            locales.add(Locale.getDefault());
        }
        return locales;
    }

    /** The charset parameter of a media type, unquoted, or null. */
    static String charset(String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String parameter : contentType.split(";")) {
            String field = parameter.trim();
            if (field.regionMatches(true, 0, "charset=", 0, 8)) {
                String value = field.substring(8).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }
}
