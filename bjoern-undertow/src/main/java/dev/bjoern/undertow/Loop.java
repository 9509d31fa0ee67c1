package dev.bjoern.undertow;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.xnio.XnioIoThread;

/**
 * One event loop: a thread, a JDK selector, the tasks and timers to run on it. It is the {@link XnioIoThread}
 * Undertow serves on, built on XNIO's public API only: the channels it selects are ours (accepted here, TCP or
 * unix), so the IO thread accepts, reads and writes with no hand-over and no second thread.
 *
 * <p>Each turn runs the queued tasks and the due timers, then waits in {@code select} until a channel is
 * ready, a timer is due or another thread posts a task, and calls the ready channels' {@link Handle}s.
 * Tasks posted from this thread go on a plain queue; other threads post to a lock-free one and wake the
 * selector only while it sleeps. Timers live in a heap touched only by this thread.
 */
final class Loop extends XnioIoThread {
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int ENDED = 2;

    private final Selector selector;
    private final Loops loops;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** Timers removed before they were due, still in the heap: purged when they are half of it. */
    private int removedTimers;
    /** Numbers the timers as they join the heap, so that those due at once run in the order they came. */
    private long timerSequence;
    private final Consumer<SelectionKey> onReady = this::ready;
    /** In (or about to enter) a blocking select: a task posted from another thread must wake it. */
    private volatile boolean sleeping;
    private volatile int state = RUNNING;

    Loop(Loops loops, int number, String name) throws IOException {
        super(loops, number, name);
        // As XNIO's IO threads: a serving loop keeps the JVM alive, whichever thread started it.
        setDaemon(false);
        this.loops = loops;
        this.selector = Selector.open();
    }

    /** Something registered with this loop's selector, called on this loop when its channel is ready. */
    abstract static class Handle {
        final Loop loop;
        final SelectionKey key;

        Handle(Loop loop, SelectionKey key) {
            this.loop = loop;
            this.key = key;
        }

        /** The channel is ready for {@code ops} (0 after a {@link #wakeup} of a key that no longer selects). */
        abstract void ready(int ops);

        /** The loop is stopping: the channel is closed already; let whoever waits on it know. */
        abstract void forceTermination();

        /** Adds {@code ops} to the interest, from any thread (atomically: the loop may change others meanwhile). */
        final void resume(int ops) {
            try {
                if ((key.interestOps() & ops) != ops && (key.interestOpsOr(ops) & ops) != ops) {
                    loop.changed();
                }
            } catch (CancelledKeyException ignored) {
                // Closed: nothing to wait for.
            }
        }

        /** Removes {@code ops} from the interest, from any thread; a sleeping selector need not see it at once. */
        final void suspend(int ops) {
            try {
                if ((key.interestOps() & ops) != 0) {
                    key.interestOpsAnd(~ops);
                }
            } catch (CancelledKeyException ignored) {
                // Closed: nothing to stop.
            }
        }

        /**
         * Deregisters the channel, from any thread; the JDK releases a registered channel's descriptor at its
         * selector's next select, so a sleeping selector is woken.
         */
        final void cancel() {
            key.cancel();
            loop.changed();
        }

        final boolean isResumed(int ops) {
            try {
                return (key.interestOps() & ops) == ops;
            } catch (CancelledKeyException ignored) {
                return false;
            }
        }

        /** Calls {@link #ready} with {@code ops} in a task, whatever the socket says, and resumes {@code ops}. */
        final void wakeup(int ops) {
            loop.post(() -> ready(ops));
            resume(ops);
        }
    }

    /**
     * Registers {@code channel}, which must be non-blocking, with no interest yet; the handle made of the key
     * is attached to it. Call on this loop.
     */
    <H extends Handle> H register(SelectableChannel channel, java.util.function.Function<SelectionKey, H> handle)
            throws ClosedChannelException {
        SelectionKey key = channel.register(selector, 0);
        H made = handle.apply(key);
        key.attach(made);
        return made;
    }

    /** An interest or a key changed: from another thread, a sleeping selector must see it now. */
    private void changed() {
        if (Thread.currentThread() != this && sleeping) {
            selector.wakeup();
        }
    }

    @Override
    public void execute(Runnable command) {
        if (state != RUNNING) {
            throw new RejectedExecutionException("the IO thread " + getName() + " is stopping");
        }
        post(command);
    }

    /**
     * Queues {@code task} for this loop's next turn, even while it stops.
     *
     * @throws RejectedExecutionException if the loop has ended: the task would never run
     */
    void post(Runnable task) {
        if (Thread.currentThread() == this) {
            tasks.add(task);
        } else {
            posted.add(task);
            if (state == ENDED && posted.remove(task)) {
                throw new RejectedExecutionException("the IO thread " + getName() + " has stopped");
            }
            if (sleeping) {
                selector.wakeup();
            }
        }
    }

    @Override
    public Key executeAfter(Runnable command, long time, TimeUnit unit) {
        long nanos = unit.toNanos(time);
        if (nanos <= 0) {
            execute(command);
            return Key.IMMEDIATE;
        }
        if (state != RUNNING) {
            throw new RejectedExecutionException("the IO thread " + getName() + " is stopping");
        }
        Timer timer = new Timer(this, System.nanoTime() + nanos, command);
        if (Thread.currentThread() == this) {
            addTimer(timer);
        } else {
            post(() -> addTimer(timer));
        }
        return timer;
    }

    @Override
    public Key executeAtInterval(Runnable command, long time, TimeUnit unit) {
        long millis = Math.max(1, unit.toMillis(time));
        Repeat repeat = new Repeat(this, command, millis);
        repeat.next = executeAfter(repeat, millis, TimeUnit.MILLISECONDS);
        return repeat;
    }

    /** Stops: closes every channel still registered, runs the tasks left, and ends the thread. */
    void shutdown() {
        state = SHUTDOWN;
        if (Thread.currentThread() != this) {
            selector.wakeup();
        }
    }

    @Override
    public void run() {
        try {
            for (;;) {
                runTasks();
                if (state != RUNNING) {
                    if (selector.keys().isEmpty() && tasks.isEmpty() && posted.isEmpty()) {
                        state = ENDED;
                        // A task another thread posted just before it saw ENDED still runs.
                        if (posted.isEmpty()) {
                            return;
                        }
                        continue;
                    }
                    terminateAll();
                    selector.selectNow(onReady);
                    continue;
                }
                long wait = timers.isEmpty() ? 0 : Math.max(1, (timers.peek().deadline - System.nanoTime() + 999_999) / 1_000_000);
                // A task or the application may have set it; select would return at once, turn after turn.
                Thread.interrupted();
                try {
                    if (!tasks.isEmpty()) {
                        selector.selectNow(onReady);
                    } else {
                        sleeping = true;
                        if (!posted.isEmpty() || state != RUNNING) {
                            sleeping = false;
                            selector.selectNow(onReady);
                        } else {
                            selector.select(onReady, wait);
                        }
                    }
                } catch (IOException e) {
                    // As XNIO's loop: most likely transient (out of descriptors); the next turn selects again.
                    failed(e);
                } finally {
                    sleeping = false;
                }
            }
        } catch (IOException e) {
            // Only selectNow() while stopping: the channels are closed already.
            failed(e);
        } finally {
            state = ENDED;
            closeSelector();
            loops.ended(this);
        }
    }

    /** Closes the selector: when the loop ends, or when it never started. */
    void closeSelector() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // Ending anyway.
        }
    }

    private void ready(SelectionKey key) {
        try {
            if (key.interestOps() != 0) {
                Thread.interrupted();
                ((Handle) key.attachment()).ready(key.readyOps());
            }
        } catch (CancelledKeyException ignored) {
            // Closed by an earlier handler of this turn.
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** What a task or a handler threw: the loop goes on; the default handler prints it. */
    void failed(Throwable t) {
        try {
            getUncaughtExceptionHandler().uncaughtException(this, t);
        } catch (Throwable ignored) {
            // Not even that could be told: the loop goes on all the same.
        }
    }

    private void runTasks() {
        for (;;) {
            Runnable task = tasks.poll();
            if (task == null) {
                task = posted.poll();
            }
            if (task == null) {
                task = dueTimer();
            }
            if (task == null) {
                return;
            }
            Thread.interrupted();
            try {
                task.run();
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    private void addTimer(Timer timer) {
        timer.sequence = timerSequence++;
        timers.add(timer);
    }

    private Runnable dueTimer() {
        if (timers.isEmpty()) {
            return null;
        }
        long now = System.nanoTime();
        for (Timer next = timers.peek(); next != null && next.deadline - now <= 0; next = timers.peek()) {
            timers.poll();
            if (next.fire()) {
                return next.command;
            }
            if (removedTimers > 0) {
                removedTimers--;
            }
        }
        return null;
    }

    /** A timer was removed before it was due; on this loop. */
    private void timerRemoved() {
        if (++removedTimers > 64 && removedTimers > timers.size() / 2) {
            List<Timer> live = new ArrayList<>(timers.size());
            for (Timer timer : timers) {
                if (timer.get() == Timer.PENDING) {
                    live.add(timer);
                }
            }
            timers.clear();
            timers.addAll(live);
            removedTimers = 0;
        }
    }

    private void terminateAll() {
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            Object handle = key.attachment();
            try {
                key.channel().close();
                if (handle instanceof Handle) {
                    ((Handle) handle).forceTermination();
                }
            } catch (Throwable t) {
                // The others are closed all the same.
                failed(t);
            }
        }
    }

    /** A task due at {@code deadline} (nanoTime); runs once unless removed first. */
    private static final class Timer extends AtomicInteger implements Key, Comparable<Timer> {
        static final int PENDING = 0;
        static final int FIRED = 1;
        static final int REMOVED = 2;
        final Loop loop;
        final long deadline;
        /** Tells timers of one deadline apart; set on the loop as the timer joins the heap. */
        long sequence;
        final Runnable command;

        Timer(Loop loop, long deadline, Runnable command) {
            this.loop = loop;
            this.deadline = deadline;
            this.command = command;
        }

        boolean fire() {
            return compareAndSet(PENDING, FIRED);
        }

        @Override
        public boolean remove() {
            if (!compareAndSet(PENDING, REMOVED)) {
                return false;
            }
            if (Thread.currentThread() == loop) {
                loop.timerRemoved();
            } else {
                loop.post(loop::timerRemoved);
            }
            return true;
        }

        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline - other.deadline, 0);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    /** A task run every {@code millis} until removed. */
    private static final class Repeat implements Key, Runnable {
        final Loop loop;
        final Runnable command;
        final long millis;
        volatile Key next;
        volatile boolean removed;

        Repeat(Loop loop, Runnable command, long millis) {
            this.loop = loop;
            this.command = command;
            this.millis = millis;
        }

        @Override
        public void run() {
            if (removed) {
                return;
            }
            try {
                command.run();
            } finally {
                if (!removed && loop.state == RUNNING) {
                    try {
                        next = loop.executeAfter(this, millis, TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        // The loop stops: no more runs.
                    }
                }
            }
        }

        @Override
        public boolean remove() {
            if (removed) {
                return false;
            }
            removed = true;
            next.remove();
            return true;
        }
    }
}
