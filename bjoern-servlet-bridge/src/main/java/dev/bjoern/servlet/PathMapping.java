package dev.bjoern.servlet;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.MappingMatch;
import java.nio.charset.StandardCharsets;

/**
 * Where the servlet sits: an optional context path of its own under SCRIPT_NAME, and a path mapping,
 * {@code /*} or {@code /prefix/*} (never the default servlet {@code /}: Jersey's base URI would lose the
 * path). It splits a request's environ paths into the servlet's contextPath, servletPath and pathInfo.
 */
final class PathMapping {
    /** The split paths of one request; pathInfo may be null. */
    record Paths(String contextPath, String servletPath, String pathInfo, String requestUri) {
    }

    private final String contextBytes;
    private final String servletPrefix;
    private final String servletBytes;
    final String pattern;

    /**
     * @param contextPath "" or "/name", decoded text
     * @param pattern "/*" or "/prefix/*"
     */
    PathMapping(String contextPath, String pattern) {
        this.contextBytes = latin1(contextPath);
        this.pattern = pattern;
        this.servletPrefix = pattern.substring(0, pattern.length() - 2);
        this.servletBytes = latin1(servletPrefix);
    }

    static String checkPattern(String pattern) {
        if (pattern == null || !pattern.equals("/*") && !(pattern.startsWith("/") && pattern.endsWith("/*")
                && pattern.length() > 3 && pattern.indexOf('*') == pattern.length() - 1)) {
            throw new IllegalArgumentException("the servlet mapping must be \"/*\" or \"/prefix/*\", got "
                    + (pattern == null ? "null" : "\"" + pattern + "\""));
        }
        return pattern;
    }

    static String checkContextPath(String contextPath) {
        if (contextPath == null || !contextPath.isEmpty() && (!contextPath.startsWith("/") || contextPath.endsWith("/"))) {
            throw new IllegalArgumentException("the context path must be \"\" or \"/name\" without a trailing"
                    + " slash, got " + (contextPath == null ? "null" : "\"" + contextPath + "\""));
        }
        return contextPath;
    }

    /**
     * @param scriptName environ's SCRIPT_NAME (bytes as latin-1 text)
     * @param pathInfo environ's PATH_INFO (decoded bytes as latin-1 text)
     * @param rawTarget environ's REQUEST_URI, or null when the server gave none
     * @return the paths, or null when the request is outside this mapping (404)
     */
    Paths map(String scriptName, String pathInfo, String rawTarget) {
        String rest = pathInfo;
        if (!contextBytes.isEmpty()) {
            if (!under(rest, contextBytes)) {
                return null;
            }
            rest = rest.substring(contextBytes.length());
        }
        String servletPath;
        String info;
        if (servletBytes.isEmpty()) {
            servletPath = "";
            info = rest.isEmpty() ? null : utf8(rest);
        } else {
            if (!under(rest, servletBytes)) {
                return null;
            }
            servletPath = servletPrefix;
            String after = rest.substring(servletBytes.length());
            info = after.isEmpty() ? null : utf8(after);
        }
        String uri = rawTarget != null ? rawPath(rawTarget) : encode(scriptName + pathInfo);
        String contextPath = rawPrefix(uri, scriptName.length() + contextBytes.length());
        return new Paths(contextPath, servletPath, info, uri);
    }

    /** The paths of an async dispatch to {@code path} (decoded, within the context). */
    Paths within(Paths original, String path) {
        String uri = original.contextPath() + encode(latin1(path));
        if (servletPrefix.isEmpty()) {
            return new Paths(original.contextPath(), "", path, uri);
        }
        if (path.equals(servletPrefix) || path.startsWith(servletPrefix + "/")) {
            String info = path.substring(servletPrefix.length());
            return new Paths(original.contextPath(), servletPrefix, info.isEmpty() ? null : info, uri);
        }
        return new Paths(original.contextPath(), path, null, uri);
    }

    HttpServletMapping mapping(String servletName, Paths paths) {
        String matchValue = paths.pathInfo() == null ? "" : paths.pathInfo().substring(1);
        return new HttpServletMapping() {
            @Override
            public String getMatchValue() {
                return matchValue;
            }

            @Override
            public String getPattern() {
                return pattern;
            }

            @Override
            public String getServletName() {
                return servletName;
            }

            @Override
            public MappingMatch getMappingMatch() {
                return MappingMatch.PATH;
            }

            @Override
            public String toString() {
                return "HttpServletMapping(PATH " + pattern + ", matchValue=" + matchValue + ")";
            }
        };
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** The path of a request target: no query, and for an absolute-form target no scheme and authority. */
    private static String rawPath(String target) {
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.startsWith("/")) {
            int scheme = path.indexOf("://");
            if (scheme > 0) {
                int slash = path.indexOf('/', scheme + 3);
                path = slash < 0 ? "/" : path.substring(slash);
            }
        }
        return path;
    }

    /** The start of a raw path that decodes to {@code decodedLength} bytes: the context path, not decoded. */
    private static String rawPrefix(String raw, int decodedLength) {
        int i = 0;
        for (int n = 0; n < decodedLength && i < raw.length(); n++) {
            i += raw.charAt(i) == '%' && i + 2 < raw.length() ? 3 : 1;
        }
        return raw.substring(0, Math.min(i, raw.length()));
    }

    /** Percent-encodes path bytes (latin-1 text) for a server that did not give the raw target. */
    private static String encode(String bytes) {
        StringBuilder out = new StringBuilder(bytes.length());
        for (int i = 0; i < bytes.length(); i++) {
            char c = bytes.charAt(i);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "/-._~!$&'()*+,;=:@".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    static String utf8(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }

    /** Decoded text (a path, a prefix) as environ's Latin-1 text of its UTF-8 bytes. */
    static String latin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }
}
