package dev.bjoern.test;

import dev.bjoern.PendingBody;
import java.util.Iterator;

/**
 * The application's iterator as the server pulls it through the {@link Validator}: each chunk goes through
 * {@link CheckedCall#chunk}, the bytes are counted against the Content-Length, and the end of the body is
 * reported. {@link Pending} keeps a {@link PendingBody} one.
 */
class CheckedIterator implements Iterator<byte[]> {
    private final Iterator<byte[]> chunks;
    final CheckedBody body;
    final CheckedCall call;
    private long pulled;
    private boolean ended;

    CheckedIterator(Iterator<byte[]> chunks, CheckedBody body, CheckedCall call) {
        this.chunks = chunks;
        this.body = body;
        this.call = call;
    }

    @Override
    public boolean hasNext() {
        pullable();
        boolean more = call.inside(chunks::hasNext);
        if (!more && !ended) {
            ended = true;
            call.ended();
            call.length(pulled, true);
        }
        return more;
    }

    @Override
    public byte[] next() {
        pullable();
        byte[] chunk = call.inside(chunks::next);
        call.chunk(chunk);
        pulled += chunk.length;
        call.length(pulled, false);
        return chunk;
    }

    /** The server may pull now. */
    void pullable() {
        body.open();
    }

    /** An iterator that is a {@link PendingBody}: the server must not pull it between "not yet" and onReady. */
    static final class Pending extends CheckedIterator implements PendingBody {
        private final PendingBody pending;
        /** The last answer of {@link #ready}, with its onReady. */
        private Wake wake;

        Pending(Iterator<byte[]> chunks, CheckedBody body, CheckedCall call) {
            super(chunks, body, call);
            this.pending = (PendingBody) chunks;
        }

        @Override
        public boolean ready(Runnable onReady) {
            body.open();
            if (wake != null && wake.waiting()) {
                throw new AssertionError("SPEC 6: the server asked ready() again before onReady ran");
            }
            Wake next = new Wake(onReady);
            boolean ready = call.inside(() -> pending.ready(next));
            next.answered(ready);
            wake = next;
            return ready;
        }

        @Override
        void pullable() {
            super.pullable();
            if (wake != null && wake.waiting()) {
                throw new AssertionError("SPEC 6: the server pulled a pending body after ready() returned false,"
                        + " before onReady ran");
            }
        }
    }

    /** The onReady of one ready() call: the body must run it once after answering false, never after true. */
    private static final class Wake implements Runnable {
        private final Runnable onReady;
        private int runs;
        private Boolean answer;

        Wake(Runnable onReady) {
            this.onReady = onReady;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (++runs > 1) {
                    throw new AssertionError("SPEC 6: the body ran onReady twice for one answer of ready(); it"
                            + " must run it exactly once after answering false");
                }
                if (Boolean.TRUE.equals(answer)) {
                    throw new AssertionError("SPEC 6: the body ran onReady after ready() returned true; it must"
                            + " run it only after answering false");
                }
            }
            onReady.run();
        }

        synchronized void answered(boolean ready) {
            answer = ready;
            if (ready && runs > 0) {
                // It ran while ready() was answering, from another thread.
                throw new AssertionError("SPEC 6: the body ran onReady and then ready() returned true; it must"
                        + " run it only after answering false");
            }
        }

        /** Answered false and onReady has not run yet. */
        synchronized boolean waiting() {
            return Boolean.FALSE.equals(answer) && runs == 0;
        }
    }
}
