package dev.bjoern.servlet;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor: up to {@code max} daemon threads that reuse an idle thread before starting a new
 * one, and queue requests only when all {@code max} are busy. A plain ThreadPoolExecutor cannot do both: with
 * a queue it never grows past its core size, with a core of {@code max} it starts a thread per task until it
 * has them all. Here the queue accepts a task only when an idle thread takes it at once; otherwise the pool
 * starts a thread, and at the maximum the task waits in the queue.
 */
final class ServletThreads {
    private ServletThreads() {
    }

    static ExecutorService pool(int max) {
        LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>() {
            @Override
            public boolean offer(Runnable task) {
                return tryTransfer(task);
            }
        };
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, max, 60, TimeUnit.SECONDS, queue, run -> {
            Thread thread = new Thread(run, "bjoern-servlet-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, (task, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the servlet application is closed");
            }
            queue.put(task); // all threads busy: the task waits for the first one free
        });
    }
}
