package dev.bjoern.test;

import dev.bjoern.Environ;
import dev.bjoern.FileBody;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import dev.bjoern.server.ResponseRules;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One call of the application seen through the {@link Validator}: the start_response and write callables the
 * application gets in place of the server's, what they have set so far, and the rules of SPEC 1, 4 and 5 on
 * them. The body's wrappers ({@link CheckedBody}) report each chunk here, since the Content-Length, the commit
 * and whether start_response was called are the call's.
 */
final class CheckedCall implements StartResponse, Write {
    private final StartResponse server;
    /** {@code "GET /path"}, for what is reported on {@link #errors}. */
    final String request;
    final PrintStream errors;
    private final boolean head;
    private Write serverWrite;
    private String status;
    private int code;
    private long contentLength = -1;
    /** Known to be committed: written to, or a non-empty chunk handed to the server, or the body ended. */
    private boolean committed;
    private long written;
    /** The thread running the application or its body's iterator, while it runs; else null. */
    private volatile Thread running;

    CheckedCall(Map<String, Object> environ, StartResponse server) {
        this.server = server;
        this.request = environ.get(Environ.REQUEST_METHOD) + " " + environ.get(Environ.PATH_INFO);
        this.errors = (PrintStream) environ.get(Environ.WSGI_ERRORS);
        this.head = environ.get(Environ.REQUEST_METHOD).equals("HEAD");
    }

    /** Calls the application and hands its body on, checked and in the same shape. */
    Iterable<byte[]> run(WsgiApplication app, Map<String, Object> environ) throws Exception {
        Thread outer = enter();
        Iterable<byte[]> body;
        try {
            body = app.call(environ, this);
        } finally {
            running = outer;
        }
        if (body == null) {
            throw new AssertionError("SPEC 1: the application returned null instead of a body");
        }
        if (body instanceof FileBody && ((FileBody) body).fileChannel() != null) {
            checkFile((FileBody) body);
            return body;
        }
        return CheckedBody.wrap(body, this);
    }

    /** A file-backed body is not iterated: the headers go out as the application returns it (SPEC 7). */
    private void checkFile(FileBody body) throws Exception {
        try {
            if (status == null) {
                throw new AssertionError("SPEC 7: the application returned a file body before calling"
                        + " start_response; a file body is not iterated, so start_response must come first");
            }
            FileChannel file = body.fileChannel();
            long missing = contentLength - written - (file.size() - file.position());
            if (limited() && missing > 0) {
                throw new AssertionError("SPEC 7: the file body ended " + missing + " bytes short of its"
                        + " Content-Length (" + contentLength + ")");
            }
            length(0, false);
        } catch (AssertionError e) {
            // The server will never see this body, so nobody else closes it.
            try {
                body.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    @Override
    public Write call(String status, List<Map.Entry<String, String>> headers, Throwable excInfo) throws Exception {
        onThread("SPEC 1: start_response");
        if (excInfo == null && this.status != null) {
            throw new AssertionError("SPEC 4: start_response was already called; a second call must pass excInfo");
        }
        int code;
        long length;
        try {
            code = ResponseRules.status(status);
            length = ResponseRules.headers(headers);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("SPEC 4: " + e.getMessage(), e);
        }
        if (excInfo != null && committed) {
            throw rethrown(status, headers, excInfo);
        }
        Write write = server.call(status, headers, excInfo);
        if (write == null) {
            throw new AssertionError("SPEC 4: the server's start_response returned null instead of the write"
                    + " callable");
        }
        if (serverWrite != null && write != serverWrite) {
            throw new AssertionError("SPEC 4: the server's start_response must return the same write callable"
                    + " every time; it returned another one");
        }
        serverWrite = write;
        this.status = status;
        this.code = code;
        this.contentLength = length;
        return this;
    }

    /** After the commit, the server must throw excInfo itself (wrapped only if neither Exception nor Error). */
    private Exception rethrown(String status, List<Map.Entry<String, String>> headers, Throwable excInfo)
            throws Exception {
        try {
            server.call(status, headers, excInfo);
        } catch (Throwable thrown) {
            boolean plain = !(excInfo instanceof Exception) && !(excInfo instanceof Error);
            if (thrown == excInfo || plain && thrown instanceof IllegalStateException && thrown.getCause() == excInfo) {
                throw thrown;
            }
            throw new AssertionError("SPEC 4: the server's start_response must throw excInfo once the headers are"
                    + " committed; it threw " + thrown, thrown);
        }
        throw new AssertionError("SPEC 4: the server's start_response must throw excInfo once the headers are"
                + " committed; it returned");
    }

    @Override
    public void write(byte[] data) throws IOException {
        onThread("SPEC 5: write");
        if (data == null) {
            throw new AssertionError("SPEC 5: write takes bytes, got null");
        }
        committed = true;
        written += data.length;
        length(0, false);
        serverWrite.write(data);
    }

    /** start_response and write belong to the thread running the application or its iterator (SPEC 1). */
    private void onThread(String what) {
        if (running != Thread.currentThread()) {
            throw new AssertionError(what + " was called on thread \"" + Thread.currentThread().getName()
                    + "\" while neither the application nor its body's iterator ran there; it belongs to the"
                    + " thread running them, while they run");
        }
    }

    /** Marks the current thread as running the application's code; returns what to restore. */
    private Thread enter() {
        Thread outer = running;
        running = Thread.currentThread();
        return outer;
    }

    /** Runs a piece of the application's body (its iterator() or a pull) as the application's code. */
    <T> T inside(Supplier<T> code) {
        Thread outer = enter();
        try {
            return code.get();
        } finally {
            running = outer;
        }
    }

    boolean started() {
        return status != null;
    }

    /** A chunk the body hands to the server. */
    void chunk(byte[] chunk) {
        if (chunk == null) {
            throw new AssertionError("SPEC 6: the application's body yielded null instead of bytes");
        }
        if (chunk.length > 0) {
            if (status == null) {
                throw new AssertionError("SPEC 1: the body yielded a non-empty chunk before start_response was"
                        + " called");
            }
            committed = true;
        }
    }

    /** The body has no more chunks: the server commits now, and start_response must have been called. */
    void ended() {
        if (status == null) {
            throw new AssertionError("SPEC 6: the body ended and the application did not call start_response");
        }
        committed = true;
    }

    /**
     * Checks a length the application gave against the bytes so far: written ones plus {@code bodyBytes}.
     *
     * @param ended true when {@code bodyBytes} is the whole body: it must then be exactly as long
     */
    void length(long bodyBytes, boolean ended) {
        if (!limited()) {
            return;
        }
        long total = written + bodyBytes;
        if (total > contentLength) {
            throw new AssertionError("SPEC 6: the body is longer than its Content-Length (" + contentLength
                    + "): " + total + " bytes " + (ended ? "in all" : "so far"));
        }
        if (ended && total < contentLength) {
            throw new AssertionError("SPEC 6: the body ended " + (contentLength - total) + " bytes short of its"
                    + " Content-Length (" + contentLength + ")");
        }
    }

    /** A Content-Length was given and the response has a body: not HEAD, 204 or 304 (SPEC 6). */
    private boolean limited() {
        return contentLength >= 0 && !head && code != 204 && code != 304;
    }
}
