package dev.bjoern.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A filter with its URL patterns and dispatcher types. Patterns are matched, as the servlet spec says,
 * against the path within the context (servletPath + pathInfo): {@code /*}, {@code /prefix/*},
 * {@code *.ext} or an exact path.
 */
final class FilterMapping {
    final String name;
    final Filter filter;
    final Map<String, String> initParameters;
    private final List<String> patterns;
    private final Set<DispatcherType> dispatcherTypes;

    /** @throws IllegalArgumentException for a pattern the servlet spec does not define */
    FilterMapping(String name, Filter filter, Map<String, String> initParameters, List<String> patterns,
            Set<DispatcherType> dispatcherTypes) {
        this.name = name;
        this.filter = filter;
        this.initParameters = initParameters;
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
            int prefix = pattern.length() - 2;
            return path.regionMatches(0, pattern, 0, prefix)
                    && (path.length() == prefix || path.charAt(prefix) == '/');
        }
        if (pattern.startsWith("*.")) {
            int suffix = pattern.length() - 1;
            return path.regionMatches(path.length() - suffix, pattern, 1, suffix)
                    && path.lastIndexOf('.') > path.lastIndexOf('/');
        }
        return pattern.equals(path) || pattern.equals("/") && path.isEmpty();
    }
}
