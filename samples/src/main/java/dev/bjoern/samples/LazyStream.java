package dev.bjoern.samples;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import dev.bjoern.web.Request;
import dev.bjoern.web.Status;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A body made while it is sent, like a Python generator: each line is produced only when the client has
 * taken the previous one, so memory stays flat however long the response. {@code ?lines=N} (default 10,
 * at most a million). start_response is called from inside the iterator, which the contract allows.
 */
public final class LazyStream {
    public static final WsgiApplication app = (environ, startResponse) -> {
        int lines = lines(Request.of(environ).query("lines"));
        if (lines < 0) {
            startResponse.call(Status.line(400), List.of(Map.entry("Content-Type", "text/plain")));
            return List.of("lines must be a number from 0 to 1000000\n".getBytes(StandardCharsets.US_ASCII));
        }
        return () -> new Iterator<>() {
            private int line;
            private boolean started;

            @Override
            public boolean hasNext() {
                if (!started) {
                    started = true;
                    try {
                        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return line < lines;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ("line " + ++line + " of " + lines + "\n").getBytes(StandardCharsets.US_ASCII);
            }
        };
    };

    private LazyStream() {
    }

    /** The {@code lines} parameter's value as a number (10 when absent), or -1 when it is not one in range. */
    private static int lines(String value) {
        if (value == null) {
            return 10;
        }
        return value.matches("[0-9]{1,7}") && Integer.parseInt(value) <= 1_000_000 ? Integer.parseInt(value) : -1;
    }

    public static void main(String[] args) throws Exception {
        Bjoern.run(app, "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    }
}
