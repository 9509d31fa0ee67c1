package dev.bjoern.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;

/**
 * The servlet's response, turned into one start_response call at commit and a body in the
 * {@link ResponsePipe}. Commit happens when the buffer overflows, on flushBuffer, sendError or
 * sendRedirect, or when the request ends; after it, status and headers no longer change.
 */
final class BridgeResponse implements HttpServletResponse {
    private static final String ISO_8859_1 = StandardCharsets.ISO_8859_1.name();
    /** RFC 9110's IMF-fixdate: two-digit day, always GMT. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final ResponsePipe pipe;
    private final ResponseOutput output;
    private final String defaultCharset;
    private final ResponseHeaders headers = new ResponseHeaders();
    private int status = 200;
    /** The charset set explicitly, by setContentType or setCharacterEncoding, or fixed by getWriter. */
    private String charset;
    private Locale locale;
    private PrintWriter writer;
    private boolean outputUsed;
    private volatile boolean committed;

    BridgeResponse(ResponsePipe pipe, int bufferSize, boolean head, String defaultCharset) {
        this.pipe = pipe;
        this.output = new ResponseOutput(this, pipe, bufferSize, head);
        this.defaultCharset = defaultCharset != null ? defaultCharset : ISO_8859_1;
    }

    // ---- commit and end

    /** start_response, once: the status and the headers as they are now. */
    void commit() {
        if (!committed) {
            committed = true;
            pipe.commit(StatusLine.of(status), headers.toList(getContentType()));
        }
    }

    /** The request is over: flush, give a Content-Length when everything fit in the buffer, end the body. */
    void finish() throws IOException {
        output.ignoreFurtherWrites();
        if (!committed) {
            lengthIfUncommitted(output.buffered());
            committed = true;
            pipe.complete(StatusLine.of(status), headers.toList(getContentType()), output.takeBuffered());
            return;
        }
        output.flushBuffered();
        pipe.finish();
    }

    /** The body is complete at {@code length} bytes: say so, unless the servlet did or it is too late. */
    void lengthIfUncommitted(int length) {
        if (!committed && !headers.contains("Content-Length") && bodyAllowed()) {
            headers.set("Content-Length", Integer.toString(length));
        }
    }

    /** An uncaught exception before the commit: whatever was set gives way to an empty 500. */
    void failBeforeCommit() throws IOException {
        reset();
        status = 500;
        finish();
    }

    private boolean bodyAllowed() {
        return status >= 200 && status != 204 && status != 304;
    }

    // ---- status, errors, redirects

    @Override
    public void setStatus(int sc) {
        if (!committed) {
            status = sc;
        }
    }

    @Override
    public int getStatus() {
        return status;
    }

    @Override
    public void sendError(int sc) throws IOException {
        sendError(sc, null);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        checkNotCommitted("sendError");
        output.resetAll();
        writer = null;
        outputUsed = false;
        status = sc;
        String title = StatusLine.of(sc);
        String page = "<!doctype html><html><head><title>" + title + "</title></head><body><h1>" + title + "</h1>"
                + (msg == null || msg.isEmpty() ? "" : "<p>" + escape(msg) + "</p>") + "</body></html>\n";
        byte[] body = page.getBytes(StandardCharsets.UTF_8);
        headers.set("Content-Type", "text/html");
        charset = "UTF-8";
        headers.set("Content-Length", Integer.toString(body.length));
        output.write(body, 0, body.length);
        output.flushBuffered();
        output.ignoreFurtherWrites();
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<': escaped.append("&lt;"); break;
                case '>': escaped.append("&gt;"); break;
                case '&': escaped.append("&amp;"); break;
                case '"': escaped.append("&quot;"); break;
                case '\'': escaped.append("&#39;"); break;
                default: escaped.append(c);
            }
        }
        return escaped.toString();
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        checkNotCommitted("sendRedirect");
        if (location == null) {
            throw new IllegalArgumentException("sendRedirect needs a location, got null");
        }
        if (clearBuffer) {
            output.resetBuffer();
        }
        status = sc;
        headers.set("Location", location);
        if (clearBuffer) {
            headers.set("Content-Length", "0");
        }
        output.flushBuffered();
        output.ignoreFurtherWrites();
    }

    private void checkNotCommitted(String what) {
        if (committed) {
            throw new IllegalStateException(what + " after the response was committed");
        }
    }

    // ---- headers

    @Override
    public void setHeader(String name, String value) {
        if (committed || name == null) {
            return;
        }
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
        } else {
            headers.set(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (committed || name == null || value == null) {
            return;
        }
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
        } else if (name.equalsIgnoreCase("Content-Length")) {
            headers.set(name, value);
        } else {
            headers.add(name, value);
        }
    }

    @Override
    public boolean containsHeader(String name) {
        return headers.contains(name);
    }

    @Override
    public String getHeader(String name) {
        return name.equalsIgnoreCase("Content-Type") ? getContentType() : headers.get(name);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        if (name.equalsIgnoreCase("Content-Type")) {
            String type = getContentType();
            return type == null ? java.util.List.of() : java.util.List.of(type);
        }
        return headers.getAll(name);
    }

    @Override
    public Collection<String> getHeaderNames() {
        return headers.names();
    }

    @Override
    public void setDateHeader(String name, long date) {
        setHeader(name, httpDate(date));
    }

    @Override
    public void addDateHeader(String name, long date) {
        addHeader(name, httpDate(date));
    }

    private static String httpDate(long date) {
        return HTTP_DATE.format(Instant.ofEpochMilli(date));
    }

    @Override
    public void setIntHeader(String name, int value) {
        setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        addHeader(name, Integer.toString(value));
    }

    @Override
    public void addCookie(Cookie cookie) {
        if (!committed) {
            headers.add("Set-Cookie", SetCookie.format(cookie));
        }
    }

    @Override
    public String encodeURL(String url) {
        return url;
    }

    @Override
    public String encodeRedirectURL(String url) {
        return url;
    }

    // ---- content type, length, encoding

    @Override
    public void setContentType(String type) {
        if (committed) {
            return;
        }
        if (type == null) {
            headers.set("Content-Type", null);
            if (writer == null) {
                charset = null;
            }
            return;
        }
        String bare = type;
        int semicolon = type.indexOf(';');
        while (semicolon >= 0) {
            int next = type.indexOf(';', semicolon + 1);
            String parameter = type.substring(semicolon + 1, next < 0 ? type.length() : next).trim();
            if (parameter.regionMatches(true, 0, "charset=", 0, 8)) {
                String value = parameter.substring(8).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (writer == null) {
                    charset = value;
                }
                bare = (type.substring(0, semicolon) + (next < 0 ? "" : type.substring(next))).trim();
                break;
            }
            semicolon = next;
        }
        headers.set("Content-Type", bare);
    }

    /** The Content-Type with the charset once one is set (or fixed by getWriter), as sent. */
    @Override
    public String getContentType() {
        String type = headers.get("Content-Type");
        if (type == null || charset == null) {
            return type;
        }
        return type + ";charset=" + charset;
    }

    @Override
    public void setCharacterEncoding(String encoding) {
        if (!committed && writer == null) {
            charset = encoding;
        }
    }

    @Override
    public String getCharacterEncoding() {
        return charset != null ? charset : defaultCharset;
    }

    @Override
    public void setContentLength(int length) {
        setContentLengthLong(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        if (!committed) {
            headers.set("Content-Length", length < 0 ? null : Long.toString(length));
        }
    }

    @Override
    public void setLocale(Locale locale) {
        if (!committed && locale != null) {
            this.locale = locale;
            headers.set("Content-Language", locale.toLanguageTag());
        }
    }

    @Override
    public Locale getLocale() {
        return locale != null ? locale : Locale.getDefault();
    }

    // ---- body

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getOutputStream after getWriter was called on this response");
        }
        outputUsed = true;
        return output;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            if (outputUsed) {
                throw new IllegalStateException("getWriter after getOutputStream was called on this response");
            }
            charset = getCharacterEncoding();
            writer = new PrintWriter(new Encoder(Charset.forName(charset)));
        }
        return writer;
    }

    /** Encodes at once into the buffer, so that the buffer is all there is to flush, reset or count. */
    private final class Encoder extends Writer {
        private final Charset encoding;
        /** The first half of a surrogate pair whose second half the next write brings; 0 for none. */
        private char highSurrogate;

        Encoder(Charset encoding) {
            this.encoding = encoding;
        }

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            encode(new String(chars, offset, length));
        }

        @Override
        public void write(String text, int offset, int length) throws IOException {
            encode(text.substring(offset, offset + length));
        }

        private void encode(String text) throws IOException {
            if (highSurrogate != 0) {
                text = highSurrogate + text;
                highSurrogate = 0;
            }
            int last = text.length() - 1;
            if (last >= 0 && Character.isHighSurrogate(text.charAt(last))) {
                // print(char) hands over an emoji in two writes: encode the pair once both are here.
                highSurrogate = text.charAt(last);
                text = text.substring(0, last);
            }
            byte[] bytes = text.getBytes(encoding);
            output.write(bytes, 0, bytes.length);
        }

        /** A lone first half, when no second comes: encoded as the charset encodes one (UTF-8: "?"). */
        private void flushSurrogate() throws IOException {
            if (highSurrogate != 0) {
                byte[] bytes = String.valueOf(highSurrogate).getBytes(encoding);
                highSurrogate = 0;
                output.write(bytes, 0, bytes.length);
            }
        }

        @Override
        public void flush() throws IOException {
            flushSurrogate();
            output.flush();
        }

        @Override
        public void close() throws IOException {
            flushSurrogate();
            output.close();
        }
    }

    @Override
    public void setBufferSize(int size) {
        if (committed || output.anyWritten()) {
            throw new IllegalStateException("setBufferSize after content was written");
        }
        output.bufferSize(size);
    }

    @Override
    public int getBufferSize() {
        return output.bufferSize();
    }

    @Override
    public void flushBuffer() throws IOException {
        output.flushBuffered();
    }

    @Override
    public void resetBuffer() {
        checkNotCommitted("resetBuffer");
        output.resetBuffer();
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public void reset() {
        checkNotCommitted("reset");
        output.resetAll();
        headers.clear();
        status = 200;
        charset = null;
        locale = null;
        writer = null;
        outputUsed = false;
    }
}
