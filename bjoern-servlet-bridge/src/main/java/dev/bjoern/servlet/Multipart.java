package dev.bjoern.servlet;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A multipart/form-data parser (RFC 7578), small and ours: the contract hands over the body already read
 * (the server holds it whole), so the parser works on bytes in memory and needs no streaming machinery.
 * Parts larger than the config's fileSizeThreshold are written to temporary files in its location; the
 * limits (maxFileSize per part, maxRequestSize for the body) fail with IllegalStateException, as the
 * servlet spec says.
 */
final class Multipart {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    private Multipart() {
    }

    static List<Part> parse(InputStream input, String contentType, MultipartConfigElement config) throws IOException {
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw new IllegalStateException("multipart/form-data without a boundary: Content-Type \"" + contentType
                    + "\"");
        }
        long maxRequest = config.getMaxRequestSize();
        byte[] body = maxRequest > 0 ? input.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequest + 1))
                : input.readAllBytes();
        if (maxRequest > 0 && body.length > maxRequest) {
            throw new IllegalStateException("the multipart request is larger than its limit of " + maxRequest
                    + " bytes (maxRequestSize)");
        }
        Path location = location(config);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalStateException("multipart body without its boundary \"" + boundary + "\"");
        }
        byte[] next = concat(CRLF, delimiter);
        try {
            while (true) {
                at += delimiter.length;
                if (startsWith(body, at, new byte[] {'-', '-'})) {
                    return parts; // the close delimiter
                }
                if (!startsWith(body, at, CRLF)) {
                    throw new IllegalStateException("malformed multipart body: no line break after the boundary");
                }
                at += 2;
                int headersEnd = startsWith(body, at, CRLF) ? at : indexOf(body, HEADERS_END, at);
                if (headersEnd < 0) {
                    throw new IllegalStateException("malformed multipart body: a part's headers never end");
                }
                Map<String, List<String>> headers = headers(new String(body, at, headersEnd - at,
                        StandardCharsets.UTF_8));
                int contentStart = headersEnd + (headersEnd == at ? 2 : 4);
                int contentEnd = indexOf(body, next, contentStart);
                if (contentEnd < 0) {
                    throw new IllegalStateException("malformed multipart body: a part has no closing boundary");
                }
                parts.add(part(body, contentStart, contentEnd, headers, config, location));
                at = contentEnd + 2;
            }
        } catch (RuntimeException | IOException e) {
            for (Part part : parts) {
                part.delete();
            }
            throw e;
        }
    }

    private static Part part(byte[] body, int from, int to, Map<String, List<String>> headers,
            MultipartConfigElement config, Path location) throws IOException {
        List<String> disposition = headers.get("content-disposition");
        String name = disposition == null ? null : parameter(disposition.get(0), "name");
        if (name == null) {
            throw new IllegalStateException("a multipart part without Content-Disposition: form-data; name=...");
        }
        String fileName = parameter(disposition.get(0), "filename");
        int size = to - from;
        if (config.getMaxFileSize() > 0 && size > config.getMaxFileSize()) {
            throw new IllegalStateException("the multipart part \"" + name + "\" is " + size
                    + " bytes, larger than its limit of " + config.getMaxFileSize() + " bytes (maxFileSize)");
        }
        if (size > config.getFileSizeThreshold()) {
            Path file = Files.createTempFile(location, "bjoern-part-", ".tmp");
            try (var out = Files.newOutputStream(file)) {
                out.write(body, from, size);
            }
            return new BridgePart(name, fileName, headers, null, file, size, location);
        }
        byte[] bytes = new byte[size];
        System.arraycopy(body, from, bytes, 0, size);
        return new BridgePart(name, fileName, headers, bytes, null, size, location);
    }

    private static Path location(MultipartConfigElement config) {
        String location = config.getLocation();
        return Path.of(location == null || location.isEmpty() ? System.getProperty("java.io.tmpdir") : location);
    }

    private static Map<String, List<String>> headers(String block) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : block.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        n -> new ArrayList<>(1)).add(line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /** A parameter of a header value ({@code name="x"}), unquoted; null when absent. */
    static String parameter(String value, String parameter) {
        int i = 0;
        while (i < value.length()) {
            int semicolon = value.indexOf(';', i);
            if (semicolon < 0) {
                return null;
            }
            int start = semicolon + 1;
            while (start < value.length() && value.charAt(start) == ' ') {
                start++;
            }
            int equals = value.indexOf('=', start);
            if (equals < 0) {
                return null;
            }
            String key = value.substring(start, equals).trim();
            int end;
            String result;
            if (equals + 1 < value.length() && value.charAt(equals + 1) == '"') {
                StringBuilder quoted = new StringBuilder();
                end = equals + 2;
                while (end < value.length() && value.charAt(end) != '"') {
                    if (value.charAt(end) == '\\' && end + 1 < value.length()) {
                        end++;
                    }
                    quoted.append(value.charAt(end++));
                }
                result = quoted.toString();
                end++;
            } else {
                end = value.indexOf(';', equals);
                if (end < 0) {
                    end = value.length();
                }
                result = value.substring(equals + 1, end).trim();
            }
            if (key.equalsIgnoreCase(parameter)) {
                return result;
            }
            i = end;
        }
        return null;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at + prefix.length > data.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (data[at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
