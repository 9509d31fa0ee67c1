package dev.bjoern.undertow;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;

/** A virtual thread per task, on JDK 21 and newer; reached by name, as this library's bytecode targets Java 17. */
final class VirtualThreads {
    /** The first JDK with virtual threads. */
    static final int JDK_NEEDED = 21;

    private VirtualThreads() {
    }

    /** @throws UnsupportedOperationException on a JDK before 21, naming it */
    static void check() {
        int feature = Runtime.version().feature();
        if (feature < JDK_NEEDED) {
            throw new UnsupportedOperationException("virtual threads need JDK " + JDK_NEEDED + " or newer; this is JDK "
                    + feature + " (give a number of threads instead)");
        }
    }

    static ExecutorService executor() {
        check();
        try {
            MethodHandle make = MethodHandles.publicLookup().findStatic(java.util.concurrent.Executors.class,
                    "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
            return (ExecutorService) make.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("making the virtual thread executor failed", t);
        }
    }
}
