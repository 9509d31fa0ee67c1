package dev.bjoern.undertow.cliapps;

import dev.bjoern.WsgiApplication;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Large responses for the shutdown tests: chunk {@code i} is {@link #CHUNK} bytes of value {@code i % 251}. */
public final class Streams {
    public static final int CHUNK = 1 << 20;
    public static final int CHUNKS = 50;

    /** 50 MiB with a Content-Length, made one chunk at a time as the socket takes them. */
    public static final WsgiApplication large = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "application/octet-stream"),
                Map.entry("Content-Length", String.valueOf((long) CHUNK * CHUNKS))));
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < CHUNKS;
            }

            @Override
            public byte[] next() {
                byte[] chunk = new byte[CHUNK];
                Arrays.fill(chunk, (byte) (next++ % 251));
                return chunk;
            }
        };
    };

    private Streams() {
    }
}
