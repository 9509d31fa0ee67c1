package dev.bjoern.undertow;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Response bodies for test applications. */
final class TestBodies {
    private TestBodies() {
    }

    /** A body that is not a Collection: the server cannot know its length without iterating it. */
    static Iterable<byte[]> lazy(String... chunks) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < chunks.length;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return bytes(chunks[next++]);
            }
        };
    }

    /** A lazy body that yields {@code first}, then throws an IllegalStateException with {@code message}. */
    static Iterable<byte[]> failingAfter(byte[] first, String message) {
        return () -> new Iterator<>() {
            private boolean pulled;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public byte[] next() {
                if (pulled) {
                    throw new IllegalStateException(message);
                }
                pulled = true;
                return first;
            }
        };
    }

    /** Text as bytes, one byte per char, as HTTP heads are. */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
