package dev.bjoern.undertow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xnio.ManagementRegistration;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.management.XnioServerMXBean;
import org.xnio.management.XnioWorkerMXBean;

/**
 * The server's {@link Loop}s, as the {@link XnioWorker} Undertow's connections belong to.
 *
 * <p>Why our own worker rather than XNIO's NIO provider: that provider accepts only through its own
 * servers, which bind nothing but IP addresses and hand every accepted socket from an accept thread to an
 * IO thread; serving a unix socket, an adopted fd, or accepting on the IO thread itself would mean placing
 * classes inside its package. Undertow needs no more of a worker than XNIO's public types, which this
 * implements: IO threads that run tasks and timers, and the connections of {@link SocketConnection}.
 *
 * <p>The worker's task pool (XNIO's {@link #execute}, which the server never uses; Undertow dispatches
 * there only when asked to) starts its one thread on first use.
 */
final class Loops extends XnioWorker {
    /**
     * XNIO greets at INFO when its classes load ("XNIO version ..."); a server starts quietly. Held, as the
     * JDK keeps loggers weakly; left alone where logging's configuration set a level for it.
     */
    private static final Logger XNIO_LOG = quiet(Logger.getLogger("org.xnio"));

    /** The XNIO "provider" our workers name; it builds nothing else. */
    private static final Xnio XNIO = new Xnio("bjoern") {
        @Override
        protected XnioWorker build(Builder builder) {
            return new Loops(builder);
        }
    };

    private final Loop[] loops;
    private final ThreadPoolExecutor tasks;
    /** Loops still running: the one that ends last runs the termination task, then opens {@link #terminated}. */
    private final AtomicInteger running;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean shutdown;

    private Loops(Builder builder) {
        super(builder);
        tasks = (ThreadPoolExecutor) builder.getExternalExecutorService();
        loops = new Loop[builder.getWorkerIoThreads()];
        running = new AtomicInteger(loops.length);
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new Loop(this, i, getName() + " I/O-" + (i + 1));
            }
        } catch (IOException e) {
            for (Loop loop : loops) {
                if (loop != null) {
                    loop.closeSelector();
                }
            }
            throw new UncheckedIOException("opening a selector failed", e);
        }
    }

    /**
     * Starts {@code count} loops named after {@code name}; {@code terminated} runs once they have all ended
     * after {@link #shutdown()}.
     */
    static Loops start(String name, int count, Runnable terminated) throws IOException {
        // The JDK 17 loads its native file dispatcher on the first close of a socket; loading it opens a
        // descriptor, so were that first close to come while descriptors are exhausted (a connection flood),
        // the class would fail for good and every later close and select with it. Load it now.
        SocketChannel.open().close();
        ThreadPoolExecutor tasks = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, name + " task");
                    thread.setDaemon(true);
                    return thread;
                });
        tasks.allowCoreThreadTimeOut(true);
        Loops started;
        try {
            started = (Loops) XNIO.createWorkerBuilder()
                    .setWorkerName(name)
                    .setWorkerIoThreads(count)
                    .setExternalExecutorService(tasks)
                    .setTerminationTask(terminated)
                    .build();
        } catch (UncheckedIOException e) {
            tasks.shutdown();
            throw e.getCause();
        }
        for (Loop loop : started.loops) {
            loop.start();
        }
        return started;
    }

    private static Logger quiet(Logger logger) {
        if (logger.getLevel() == null) {
            logger.setLevel(Level.WARNING);
        }
        return logger;
    }

    /** A loop's thread ended. */
    void ended(Loop loop) {
        if (running.decrementAndGet() > 0) {
            return;
        }
        tasks.shutdown();
        Runnable task = getTerminationTask();
        try {
            if (task != null) {
                task.run();
            }
        } catch (Throwable t) {
            loop.failed(t);
        } finally {
            // After the termination task: awaitTermination() returns once it has run.
            terminated.countDown();
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
        for (Loop loop : loops) {
            loop.shutdown();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return tasks.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    @Override
    public Loop getIoThread(int hashCode) {
        return loops[Math.floorMod(hashCode, loops.length)];
    }

    @Override
    public int getIoThreadCount() {
        return loops.length;
    }

    @Override
    protected XnioIoThread chooseThread() {
        return loops.length == 1 ? loops[0]
                : loops[java.util.concurrent.ThreadLocalRandom.current().nextInt(loops.length)];
    }

    /** None: the server's figures are its metrics (docs/metrics.md). */
    @Override
    public XnioWorkerMXBean getMXBean() {
        return null;
    }

    @Override
    protected ManagementRegistration registerServerMXBean(XnioServerMXBean metrics) {
        return () -> { };
    }
}
