package dev.bjoern.test;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** Bodies for test applications. */
final class Bodies {
    private Bodies() {
    }

    /** One pull of a lazy body: may call start_response or write, and returns the chunk. */
    @FunctionalInterface
    interface Step {
        byte[] pull() throws Exception;
    }

    static byte[] bytes(String text) {
        return text.getBytes(ISO_8859_1);
    }

    /** A lazy body (not a Collection) whose iterator runs one step per next(). */
    static Iterable<byte[]> lazy(Step... steps) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < steps.length;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    return steps[next++].pull();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
