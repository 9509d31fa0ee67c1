package dev.bjoern.undertow;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads a blocking application is called on, off the IO thread: a pool of n, or a virtual thread per call
 * (JDK 21 and newer; reached by name, as this library's bytecode targets Java 17).
 */
final class AppThreads {
    /** The first JDK with virtual threads. */
    static final int JDK_NEEDED = 21;

    /** True on a thread while it calls an application for a server of ours. */
    private static final ThreadLocal<Boolean> CALLING = new ThreadLocal<>();

    private AppThreads() {
    }

    /** Work given to the application's threads, which must be answered for if the threads stop before it runs. */
    interface Task extends Runnable {
        /** The threads stopped with this task still waiting for one: it will not run. */
        void refuse();
    }

    /** Runs {@code call} marked as a call of the application, for {@link #inCall()}. */
    static <T> T calling(Supplier<T> call) {
        CALLING.set(Boolean.TRUE);
        try {
            return call.get();
        } finally {
            CALLING.remove();
        }
    }

    /** Whether this thread is calling an application off the IO thread, for a server of ours. */
    static boolean inCall() {
        return CALLING.get() != null;
    }

    /**
     * Stops {@code threads}: the calls under way are interrupted and waited for, up to a second; those still
     * waiting for a thread are refused, each answering for itself.
     */
    static void stop(ExecutorService threads) {
        for (Runnable waiting : threads.shutdownNow()) {
            if (waiting instanceof Task) {
                ((Task) waiting).refuse();
            }
        }
        try {
            threads.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return {@code n}, checked as the builders' {@code threads(n)} take it
     * @throws IllegalArgumentException below 1
     */
    static int count(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        return n;
    }

    /**
     * {@code n} threads. Their queue is not bounded by a number of its own: a connection waits for its response
     * before its next request is read, so at most one call per open connection waits, and the connection limit
     * bounds them.
     */
    static ExecutorService pool(int n) {
        AtomicInteger number = new AtomicInteger();
        return Executors.newFixedThreadPool(n, task -> {
            Thread thread = new Thread(task, "bjoern app-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** @throws UnsupportedOperationException on a JDK before 21, naming it */
    static void checkVirtual() {
        int feature = Runtime.version().feature();
        if (feature < JDK_NEEDED) {
            throw new UnsupportedOperationException("virtual threads need JDK " + JDK_NEEDED + " or newer; this is JDK "
                    + feature + " (give a number of threads instead)");
        }
    }

    static ExecutorService virtual() {
        checkVirtual();
        try {
            MethodHandle make = MethodHandles.publicLookup().findStatic(Executors.class,
                    "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
            return (ExecutorService) make.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("making the virtual thread executor failed", t);
        }
    }
}
