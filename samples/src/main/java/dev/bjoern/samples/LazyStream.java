package dev.bjoern.samples;

import dev.bjoern.Environ;
import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A body made while it is sent, like a Python generator: each line is produced only when the client has
 * taken the previous one, so memory stays flat however long the response. {@code ?lines=N} (default 10).
 * start_response is called from inside the iterator, which the contract allows.
 */
public final class LazyStream {
    public static final WsgiApplication app = (environ, startResponse) -> {
        String query = (String) environ.get(Environ.QUERY_STRING);
        int lines = query.startsWith("lines=") ? Integer.parseInt(query.substring(6)) : 10;
        return () -> new Iterator<>() {
            private int line;

            @Override
            public boolean hasNext() {
                return line < lines;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (line == 0) {
                    try {
                        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return ("line " + ++line + " of " + lines + "\n").getBytes(StandardCharsets.US_ASCII);
            }
        };
    };

    private LazyStream() {
    }

    public static void main(String[] args) throws Exception {
        Bjoern.run(app, "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    }
}
