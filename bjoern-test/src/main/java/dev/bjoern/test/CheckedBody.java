package dev.bjoern.test;

import dev.bjoern.PendingBody;
import java.io.PrintStream;
import java.lang.ref.Cleaner;
import java.util.AbstractCollection;
import java.util.AbstractList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application's body as the server sees it through the {@link Validator}: in the same shape (a
 * {@code RandomAccess} List, another Collection, or a lazy Iterable, which the server frames differently),
 * always {@link AutoCloseable}, so that the server's one close() can be watched. The chunks go through the
 * {@link CheckedCall}'s rules; the server's use of the body (iterator() once, nothing after close(), close()
 * exactly once) is checked here.
 */
// close() passes on whatever the application's close() throws, InterruptedException included.
@SuppressWarnings("try")
final class CheckedBody {
    /** One daemon thread for every Validator: it reports bodies the server dropped without closing them. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Iterable<byte[]> body;
    private final CheckedCall call;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Cleaner.Cleanable watch;
    /** The first iterator taken: the one to close when the body itself is not closeable, as servers do. */
    private Iterator<byte[]> chunks;
    private int iterators;
    /** How many elements of a List body the server has fetched, at most. */
    private int fetched;
    private boolean measured;

    private CheckedBody(Iterable<byte[]> body, CheckedCall call) {
        this.body = body;
        this.call = call;
    }

    static Iterable<byte[]> wrap(Iterable<byte[]> body, CheckedCall call) {
        CheckedBody checked = new CheckedBody(body, call);
        Iterable<byte[]> shaped = body instanceof List && body instanceof RandomAccess ? checked.new AsList()
                : body instanceof Collection ? checked.new AsCollection() : checked.new AsIterable();
        // The action holds the flag, never the body, or the body would never become unreachable.
        checked.watch = CLEANER.register(shaped, new NeverClosed(checked.closed, call.errors, call.request));
        return shaped;
    }

    /** Reports, once the body is unreachable, that the server never closed it: no one is left to throw to. */
    private static final class NeverClosed implements Runnable {
        private final AtomicBoolean closed;
        private final PrintStream errors;
        private final String request;

        NeverClosed(AtomicBoolean closed, PrintStream errors, String request) {
            this.closed = closed;
            this.errors = errors;
            this.request = request;
        }

        @Override
        public void run() {
            if (!closed.get()) {
                errors.println("bjoern Validator: SPEC 6: the server never called close() on the body of " + request);
            }
        }
    }

    Iterator<byte[]> iterator() {
        open();
        boolean collection = body instanceof Collection;
        if (++iterators > (collection ? 2 : 1)) {
            throw new AssertionError(collection
                    ? "SPEC 6: the server called iterator() three times on a Collection body; it may walk it once"
                            + " more for its length, no more"
                    : "SPEC 6: the server called iterator() twice on a body that is not a Collection; it must"
                            + " call it once");
        }
        Iterator<byte[]> taken = call.inside(() -> {
            if (body instanceof List && body instanceof RandomAccess) {
                measure();
            }
            return body.iterator();
        });
        if (chunks == null) {
            chunks = taken;
        }
        return taken instanceof PendingBody ? new CheckedIterator.Pending(taken, this, call)
                : new CheckedIterator(taken, this, call);
    }

    /** The server may use the body only until it closes it. */
    void open() {
        if (closed.get()) {
            throw new AssertionError("SPEC 6: the server used the body after close()");
        }
    }

    /** PEP 3333's close(): the body if it is closeable, else its iterator if that is. */
    void close() throws Exception {
        if (closed.getAndSet(true)) {
            throw new AssertionError("SPEC 6: the server called close() twice; it must call it exactly once");
        }
        watch.clean();
        AutoCloseable closeable = body instanceof AutoCloseable ? (AutoCloseable) body
                : chunks instanceof AutoCloseable ? (AutoCloseable) chunks : null;
        if (closeable != null) {
            closeable.close();
        }
    }

    // A List body is walked by index (the engine does, and computes Content-Length that way): its elements are
    // checked as they are fetched, and its length as a whole (measure), once start_response has been called.

    private byte[] get(int index) {
        open();
        byte[] chunk = call.inside(() -> {
            measure();
            return list().get(index);
        });
        call.chunk(chunk);
        fetched = Math.max(fetched, index + 1);
        return chunk;
    }

    private int size() {
        open();
        int size = call.inside(() -> {
            measure();
            return list().size();
        });
        if (fetched >= size && !call.started()) {
            // The server learns here that the list is over.
            call.ended();
        }
        return size;
    }

    private void measure() {
        if (measured || !call.started()) {
            return;
        }
        measured = true;
        List<byte[]> list = list();
        long length = 0;
        for (int i = 0; i < list.size(); i++) {
            byte[] chunk = list.get(i);
            if (chunk == null) {
                throw new AssertionError("SPEC 6: the application's body holds null instead of bytes");
            }
            length += chunk.length;
        }
        call.length(length, true);
    }

    @SuppressWarnings("unchecked")
    private List<byte[]> list() {
        return (List<byte[]>) body;
    }

    /** A lazy body: an Iterable and nothing more. */
    private final class AsIterable implements Iterable<byte[]>, AutoCloseable {
        @Override
        public Iterator<byte[]> iterator() {
            return CheckedBody.this.iterator();
        }

        @Override
        public void close() throws Exception {
            CheckedBody.this.close();
        }
    }

    /** A Collection that is not a RandomAccess List: the server walks it once for its length. */
    private final class AsCollection extends AbstractCollection<byte[]> implements AutoCloseable {
        @Override
        public Iterator<byte[]> iterator() {
            return CheckedBody.this.iterator();
        }

        @Override
        public int size() {
            open();
            return call.inside(((Collection<?>) body)::size);
        }

        @Override
        public void close() throws Exception {
            CheckedBody.this.close();
        }
    }

    /** A RandomAccess List, which the server walks by index. */
    private final class AsList extends AbstractList<byte[]> implements RandomAccess, AutoCloseable {
        @Override
        public byte[] get(int index) {
            return CheckedBody.this.get(index);
        }

        @Override
        public int size() {
            return CheckedBody.this.size();
        }

        @Override
        public Iterator<byte[]> iterator() {
            return CheckedBody.this.iterator();
        }

        @Override
        public void close() throws Exception {
            CheckedBody.this.close();
        }
    }
}
