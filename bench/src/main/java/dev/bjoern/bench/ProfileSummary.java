package dev.bjoern.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Sums up a JFR recording of a bench server under load: where one IO thread's time goes, as Markdown.
 *
 * <p>JFR samples a thread in Java code ({@code jdk.ExecutionSample}) apart from a thread in native code
 * ({@code jdk.NativeMethodSample}: for a loop, the kernel's read, write and epoll_wait). The first table
 * splits the thread's samples between the two; the second sorts the Java samples into parts, each sample going
 * to the part of the frame nearest its leaf that belongs to one: a regular expression is Undertow's Host check
 * (nothing else on the path runs one), a JDK collection or string frame counts for whoever called it.
 *
 * <p>{@code java -cp bjoern-bench.jar dev.bjoern.bench.ProfileSummary RECORDING.jfr THREAD-NAME-PREFIX}
 */
public final class ProfileSummary {
    /** Frame prefix to part, in the order they are tried on each frame. */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("java.util.regex.", "Undertow: the Host header's IPv4 regular expression");
        PARTS.put("sun.nio.ch.", "JDK NIO: the Java side of read, write and select");
        PARTS.put("java.nio.", "JDK NIO: the Java side of read, write and select");
        PARTS.put("io.undertow.server.protocol.http.RequestParser", "Undertow: parsing the request");
        PARTS.put("io.undertow.server.protocol.http.HttpResponseConduit", "Undertow: writing the response head");
        PARTS.put("io.undertow.util.DateUtils", "Undertow: writing the response head");
        PARTS.put("io.undertow.server.handlers.HostHeaderHandler", "Undertow: the rest of the Host header check");
        PARTS.put("io.undertow.util.HeaderMap", "Undertow: header maps (lookups and adds, both directions)");
        PARTS.put("io.undertow.util.HttpString", "Undertow: header maps (lookups and adds, both directions)");
        PARTS.put("io.undertow.util.HeaderValues", "Undertow: header maps (lookups and adds, both directions)");
        PARTS.put("dev.bjoern.bench.", "the application (the bench's hello world)");
        PARTS.put("dev.bjoern.", "ours: loop, connection, environ, start_response, body");
        PARTS.put("io.undertow.", "Undertow and XNIO: the exchange's set-up and end, conduits, the rest");
        PARTS.put("org.xnio.", "Undertow and XNIO: the exchange's set-up and end, conduits, the rest");
    }

    private ProfileSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ProfileSummary RECORDING.jfr THREAD-NAME-PREFIX");
            System.exit(2);
        }
        String thread = args[1];
        long javaSamples = 0;
        long nativeSamples = 0;
        Map<String, Long> parts = new TreeMap<>();
        Map<String, Long> natives = new TreeMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = event.getEventType().getName();
            boolean java = type.equals("jdk.ExecutionSample");
            if (!java && !type.equals("jdk.NativeMethodSample")
                    || event.getThread("sampledThread") == null
                    || !String.valueOf(event.getThread("sampledThread").getJavaName()).startsWith(thread)
                    || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (java) {
                javaSamples++;
                parts.merge(part(frames), 1L, Long::sum);
            } else {
                nativeSamples++;
                natives.merge(frames.isEmpty() ? "?" : name(frames.get(0)), 1L, Long::sum);
            }
        }
        long inJava = javaSamples;
        long all = inJava + nativeSamples;
        if (all == 0) {
            System.err.println("no samples of a thread named " + thread + "* in " + args[0]);
            System.exit(1);
        }
        System.out.println("| where the IO thread was sampled | samples | share |");
        System.out.println("|---|---:|---:|");
        row("in Java code", inJava, all);
        natives.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> row("in native code: `" + e.getKey() + "`", e.getValue(), all));
        System.out.println();
        System.out.println("| the Java samples, by part | samples | share of Java | share of the thread |");
        System.out.println("|---|---:|---:|---:|");
        parts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf("| %s | %d | %.1f%% | %.1f%% |%n", e.getKey(), e.getValue(),
                        100.0 * e.getValue() / inJava, 100.0 * e.getValue() / all));
    }

    private static void row(String what, long samples, long all) {
        System.out.printf("| %s | %d | %.1f%% |%n", what, samples, 100.0 * samples / all);
    }

    /** The part of the frame nearest the leaf that belongs to one; "other" when none does. */
    private static String part(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (Map.Entry<String, String> part : PARTS.entrySet()) {
                if (type.startsWith(part.getKey())) {
                    return part.getValue();
                }
            }
        }
        return "other (JDK frames with none of ours or Undertow's below the loop)";
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
