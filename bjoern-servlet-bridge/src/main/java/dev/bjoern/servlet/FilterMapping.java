package dev.bjoern.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.List;
import java.util.Set;

/**
 * A filter with its URL patterns and dispatcher types. Patterns are matched, as the servlet spec says,
 * against the path within the context (servletPath + pathInfo): {@code /*}, {@code /prefix/*},
 * {@code *.ext} or an exact path.
 */
final class FilterMapping {
    final String name;
    final Filter filter;
    final BridgeConfig config;
    private final List<String> patterns;
    private final Set<DispatcherType> dispatcherTypes;

    FilterMapping(String name, Filter filter, BridgeConfig config, List<String> patterns,
            Set<DispatcherType> dispatcherTypes) {
        this.name = name;
        this.filter = filter;
        this.config = config;
        this.patterns = patterns;
        this.dispatcherTypes = dispatcherTypes;
        for (String pattern : patterns) {
            checkPattern(pattern);
        }
    }

    private static void checkPattern(String pattern) {
        boolean ok = pattern != null && (pattern.startsWith("/") && (pattern.indexOf('*') < 0 || pattern.endsWith("/*")
                && pattern.indexOf('*') == pattern.length() - 1) || pattern.startsWith("*.") && pattern.indexOf('/') < 0);
        if (!ok) {
            throw new IllegalArgumentException("a filter URL pattern must be \"/*\", \"/prefix/*\", \"*.ext\" or an"
                    + " exact path, got " + (pattern == null ? "null" : "\"" + pattern + "\""));
        }
    }

    boolean matches(String path, DispatcherType type) {
        if (!dispatcherTypes.contains(type)) {
            return false;
        }
        for (String pattern : patterns) {
            if (matches(pattern, path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String path) {
        if (pattern.equals("/*")) {
            return true;
        }
        if (pattern.endsWith("/*")) {
            String prefix = pattern.substring(0, pattern.length() - 2);
            return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
        }
        if (pattern.startsWith("*.")) {
            int slash = path.lastIndexOf('/');
            return path.endsWith(pattern.substring(1)) && path.lastIndexOf('.') > slash;
        }
        return pattern.equals(path) || pattern.equals("/") && path.isEmpty();
    }
}
