package dev.bjoern.servlet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The response's one header store: names and values in insertion order, names compared without case.
 * Content-Type and Content-Length live here as ordinary headers (Jersey sets them with setHeader, Spring
 * clears them with setHeader(name, null)); the response routes them through its content type and length
 * rules before they land here.
 */
final class ResponseHeaders {
    private final List<String[]> entries = new ArrayList<>();

    /** Replaces every value of {@code name}; a null value removes them. */
    void set(String name, String value) {
        int at = -1;
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i)[0].equalsIgnoreCase(name)) {
                entries.remove(i);
                at = i;
            }
        }
        if (value != null) {
            String[] entry = {name, value};
            if (at >= 0) {
                entries.add(at, entry); // keeps the header where it first was
            } else {
                entries.add(entry);
            }
        }
    }

    void add(String name, String value) {
        if (value != null) {
            entries.add(new String[] {name, value});
        }
    }

    String get(String name) {
        for (String[] entry : entries) {
            if (entry[0].equalsIgnoreCase(name)) {
                return entry[1];
            }
        }
        return null;
    }

    boolean contains(String name) {
        return get(name) != null;
    }

    Collection<String> getAll(String name) {
        List<String> values = new ArrayList<>();
        for (String[] entry : entries) {
            if (entry[0].equalsIgnoreCase(name)) {
                values.add(entry[1]);
            }
        }
        return values;
    }

    Collection<String> names() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        outer:
        for (String[] entry : entries) {
            for (String seen : names) {
                if (seen.equalsIgnoreCase(entry[0])) {
                    continue outer;
                }
            }
            names.add(entry[0]);
        }
        return names;
    }

    void clear() {
        entries.clear();
    }

    /**
     * The headers for start_response. {@code contentType} replaces the stored Content-Type value (it carries
     * the charset); hop-by-hop headers are left out, as PEP 3333 asks, except {@code Connection: close},
     * which the server honours.
     */
    List<Map.Entry<String, String>> toList(String contentType) {
        List<Map.Entry<String, String>> list = new ArrayList<>(entries.size() + 1);
        for (String[] entry : entries) {
            String name = entry[0];
            if (name.equalsIgnoreCase("Content-Type")) {
                list.add(Map.entry(name, contentType));
            } else if (!hopByHop(name, entry[1])) {
                list.add(Map.entry(name, entry[1]));
            }
        }
        return list;
    }

    /** Hop-by-hop headers are the server's to set (PEP 3333); "Connection: close" passes, as a request to close. */
    private static boolean hopByHop(String name, String value) {
        if (name.equalsIgnoreCase("Connection")) {
            return !value.equalsIgnoreCase("close");
        }
        return name.equalsIgnoreCase("Keep-Alive") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("TE") || name.equalsIgnoreCase("Trailer") || name.equalsIgnoreCase("Upgrade")
                || name.equalsIgnoreCase("Proxy-Connection");
    }
}
