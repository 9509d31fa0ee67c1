package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xnio.XnioExecutor;

/** The loops' tasks and timers, as Undertow and the server use them, from the loop and from other threads. */
class LoopTest {
    @Test
    void runsTasksOnTheLoopFromAnyThreadAndEndsOnShutdown() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        Loops loops = Loops.start("test", 1, stopped::countDown);
        Loop loop = loops.getIoThread(0);
        List<Object> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(2);
        loop.execute(() -> {
            seen.add(Thread.currentThread());
            // Posted from the loop itself: it runs after this task.
            loop.execute(() -> {
                seen.add("inner");
                done.countDown();
            });
        });
        loop.execute(() -> {
            seen.add("second");
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertSame(loop, seen.get(0));
        assertTrue(seen.contains("inner") && seen.contains("second"), seen::toString);
        loops.shutdown();
        assertTrue(loops.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "the termination task runs once the loops end");
        assertTrue(loops.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }

    @Test
    void timersRunInDeadlineOrderAndARemovedOneNever() throws Exception {
        Loops loops = Loops.start("test", 1, null);
        try {
            Loop loop = loops.getIoThread(0);
            List<String> fired = new CopyOnWriteArrayList<>();
            CountDownLatch last = new CountDownLatch(1);
            loop.executeAfter(() -> fired.add("60"), 60, TimeUnit.MILLISECONDS);
            XnioExecutor.Key removed = loop.executeAfter(() -> fired.add("removed"), 20, TimeUnit.MILLISECONDS);
            loop.executeAfter(() -> fired.add("10"), 10, TimeUnit.MILLISECONDS);
            loop.executeAfter(() -> {
                fired.add("100");
                last.countDown();
            }, 100, TimeUnit.MILLISECONDS);
            assertTrue(removed.remove());
            assertFalse(removed.remove(), "removed twice");
            assertTrue(last.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("10", "60", "100"), fired);
            // Due at once: runs as a task, and its key can no longer remove it.
            CountDownLatch now = new CountDownLatch(1);
            assertFalse(loop.executeAfter(now::countDown, 0, TimeUnit.MILLISECONDS).remove());
            assertTrue(now.await(10, TimeUnit.SECONDS));
        } finally {
            loops.shutdownNow();
        }
    }

    @Test
    void removedTimersNeverRunHoweverMany() throws Exception {
        Loops loops = Loops.start("test", 1, null);
        try {
            Loop loop = loops.getIoThread(0);
            CountDownLatch ran = new CountDownLatch(1);
            AtomicInteger wrongly = new AtomicInteger();
            loop.execute(() -> {
                for (int i = 0; i < 10_000; i++) {
                    loop.executeAfter(wrongly::incrementAndGet, 1, TimeUnit.HOURS).remove();
                }
                loop.executeAfter(ran::countDown, 1, TimeUnit.MILLISECONDS);
            });
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals(0, wrongly.get());
        } finally {
            loops.shutdownNow();
        }
    }

    @Test
    void aRepeatingTaskRunsUntilItsKeyIsRemoved() throws Exception {
        Loops loops = Loops.start("test", 1, null);
        try {
            Loop loop = loops.getIoThread(0);
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch three = new CountDownLatch(3);
            XnioExecutor.Key key = loop.executeAtInterval(() -> {
                runs.incrementAndGet();
                three.countDown();
            }, 5, TimeUnit.MILLISECONDS);
            assertTrue(three.await(10, TimeUnit.SECONDS));
            assertTrue(key.remove());
            // Once removed, a run already queued is the last: wait for one more turn of the loop, then compare.
            CountDownLatch turn = new CountDownLatch(1);
            loop.executeAfter(turn::countDown, 20, TimeUnit.MILLISECONDS);
            assertTrue(turn.await(10, TimeUnit.SECONDS));
            int after = runs.get();
            CountDownLatch later = new CountDownLatch(1);
            loop.executeAfter(later::countDown, 30, TimeUnit.MILLISECONDS);
            assertTrue(later.await(10, TimeUnit.SECONDS));
            assertEquals(after, runs.get(), "ran after its key was removed");
        } finally {
            loops.shutdownNow();
        }
    }

    @Test
    void anInterruptLeftSetByATaskDoesNotSpinTheLoop() throws Exception {
        Loops loops = Loops.start("test", 1, null);
        try {
            Loop loop = loops.getIoThread(0);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadCpuTimeSupported(), "no thread CPU time here");
            CountDownLatch interrupted = new CountDownLatch(1);
            // What an application does with an InterruptedException it cannot throw: set the flag again.
            loop.execute(() -> {
                Thread.currentThread().interrupt();
                interrupted.countDown();
            });
            assertTrue(interrupted.await(10, TimeUnit.SECONDS));
            long before = threads.getThreadCpuTime(loop.getId());
            // A window to measure in, not a wait for something to happen: nothing is due on the loop.
            assertFalse(new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS));
            long spent = threads.getThreadCpuTime(loop.getId()) - before;
            assertTrue(spent < 100_000_000L, "the idle loop used " + spent / 1_000_000 + " ms of CPU in 300 ms");
        } finally {
            loops.shutdownNow();
        }
    }

    @Test
    void theTerminationTaskRunsOnceWhenManyLoopsEndTogether() throws Exception {
        for (int round = 0; round < 50; round++) {
            AtomicInteger terminated = new AtomicInteger();
            Loops loops = Loops.start("test", 8, terminated::incrementAndGet);
            loops.shutdown();
            assertTrue(loops.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(1, terminated.get(), "termination tasks run in round " + round);
        }
    }
}
