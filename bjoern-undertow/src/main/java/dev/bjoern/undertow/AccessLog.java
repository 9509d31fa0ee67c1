package dev.bjoern.undertow;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log: one line per request in the Common Log Format followed by the time taken in microseconds
 * (Apache's {@code %h %l %u %t "%r" %>s %b %D}), for example
 * {@code 127.0.0.1 - - [24/Nov/2026:09:00:13 +0000] "GET /hello?x=1 HTTP/1.1" 200 13 187}.
 *
 * <p>The IO thread does not format, write or lock: when an exchange completes it copies a few references
 * and numbers into a slot of a ring allocated up front (a claim by compare-and-set, so that several IO
 * threads may share one log) and goes on. A writer thread of its own formats the lines, writes them through
 * a buffer and flushes whenever the ring runs empty, so that a tail of the file is at most a moment behind.
 *
 * <p>If the writer falls behind by more than {@value #CAPACITY} requests (a blocked pipe, a full disk), the
 * requests that find the ring full are not logged, and never silently: the writer reports how many were lost
 * on the error stream, {@code bjoern: the access log fell behind; N requests were not logged}, as soon as it
 * catches up and again at {@link #close()}.
 */
final class AccessLog implements ExchangeCompletionListener, AutoCloseable {
    static final int CAPACITY = 1 << 14;
    private static final int MASK = CAPACITY - 1;
    private static final DateTimeFormatter CLF_DATE =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    /** What the IO thread leaves for the writer: references to immutable values, and numbers. */
    private static final class Entry {
        SocketAddress peer;
        HttpString method;
        String uri;
        String query;
        HttpString protocol;
        int status;
        long bytes;
        long endMillis;
        long nanos;
    }

    private final Entry[] entries = new Entry[CAPACITY];
    /** Per slot, Vyukov's sequence: {@code position} when free for it, {@code position + 1} once filled. */
    private final AtomicLongArray sequences = new AtomicLongArray(CAPACITY);
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final OutputStream out;
    private final PrintStream errors;
    private final ZoneId zone = ZoneId.systemDefault();
    private final Thread writer;
    /** The writer's own: the next position to take, and how many losses it has reported. */
    private long head;
    private long reported;
    /** Writes that failed (each a line, or a flush of several), and how many of those were reported. */
    private long unwritten;
    private long unwrittenReported;
    private long lastSecond = Long.MIN_VALUE;
    private String lastDate;
    private volatile boolean sleeping;
    private volatile boolean closed;

    /**
     * A log whose writer thread waits for {@link #start()}.
     *
     * @param out where lines go; flushed, never closed, here
     * @param errors where losses are reported
     */
    AccessLog(OutputStream out, PrintStream errors) {
        for (int i = 0; i < CAPACITY; i++) {
            entries[i] = new Entry();
            sequences.set(i, i);
        }
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.errors = errors;
        writer = new Thread(this::write, "bjoern-access-log");
        writer.setDaemon(true);
    }

    /** Starts the writer thread; call once, before the first exchange. */
    void start() {
        writer.start();
    }

    /** On the IO thread: hands the finished request to the writer. */
    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener nextListener) {
        try {
            // Recorded by the listener, or by a mounted handler (WsgiHandler); -1 if neither did: then no
            // duration. nanoTime may be negative.
            long start = exchange.getRequestStartTime();
            long nanos = start != -1 ? System.nanoTime() - start : 0;
            long position = tail.get();
            int slot;
            while (true) {
                slot = (int) position & MASK;
                long free = sequences.get(slot) - position;
                if (free == 0) {
                    if (tail.compareAndSet(position, position + 1)) {
                        break;
                    }
                    position = tail.get();
                } else if (free < 0) {
                    // Full: the writer is CAPACITY requests behind.
                    dropped.incrementAndGet();
                    return;
                } else {
                    position = tail.get();
                }
            }
            Entry entry = entries[slot];
            entry.peer = exchange.getConnection().getPeerAddress();
            entry.method = exchange.getRequestMethod();
            entry.uri = exchange.getRequestURI();
            entry.query = exchange.getQueryString();
            entry.protocol = exchange.getProtocol();
            entry.status = exchange.getStatusCode();
            entry.bytes = exchange.getResponseBytesSent();
            entry.endMillis = System.currentTimeMillis();
            entry.nanos = nanos;
            sequences.set(slot, position + 1);
            if (sleeping) {
                LockSupport.unpark(writer);
            }
        } finally {
            nextListener.proceed();
        }
    }

    /** Writes what is queued, flushes, and stops the writer; what completes later is not logged. Idempotent. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write() {
        StringBuilder line = new StringBuilder(256);
        while (true) {
            boolean wrote = false;
            for (Entry entry; (entry = take()) != null; ) {
                line.setLength(0);
                format(entry, line);
                release();
                writeLine(line);
                wrote = true;
            }
            if (wrote) {
                flush();
            }
            reportDrops();
            if (closed) {
                if (take() == null) {
                    flush();
                    return;
                }
                continue;
            }
            sleeping = true;
            if (take() == null && !closed) {
                // Woken by the IO thread when it queues a line; the timeout only bounds a lost wake-up.
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
            }
            sleeping = false;
        }
    }

    /** The entry at the head if it is filled, else null; the writer's side. */
    private Entry take() {
        int slot = (int) head & MASK;
        return sequences.get(slot) == head + 1 ? entries[slot] : null;
    }

    /** Frees the head entry for the producers. */
    private void release() {
        int slot = (int) head & MASK;
        Entry entry = entries[slot];
        entry.peer = null;
        entry.uri = null;
        entry.query = null;
        sequences.set(slot, head + CAPACITY);
        head++;
    }

    private void format(Entry entry, StringBuilder line) {
        if (entry.peer instanceof InetSocketAddress && ((InetSocketAddress) entry.peer).getAddress() != null) {
            line.append(((InetSocketAddress) entry.peer).getAddress().getHostAddress());
        } else {
            line.append('-');
        }
        line.append(" - - [").append(date(entry.endMillis - entry.nanos / 1_000_000)).append("] \"");
        escape(entry.method.toString(), line);
        line.append(' ');
        escape(entry.uri, line);
        if (entry.query != null && !entry.query.isEmpty()) {
            line.append('?');
            escape(entry.query, line);
        }
        line.append(' ');
        escape(entry.protocol.toString(), line);
        line.append("\" ").append(entry.status).append(' ');
        if (entry.bytes > 0) {
            line.append(entry.bytes);
        } else {
            line.append('-');
        }
        line.append(' ').append(entry.nanos / 1000).append('\n');
    }

    /** The request's time of arrival in CLF, formatted once per second. */
    private String date(long millis) {
        long second = Math.floorDiv(millis, 1000);
        if (second != lastSecond) {
            lastSecond = second;
            lastDate = CLF_DATE.format(Instant.ofEpochSecond(second).atZone(zone));
        }
        return lastDate;
    }

    /** As Apache does in the request line: quote and backslash escaped, other controls as \xhh. */
    private static void escape(String text, StringBuilder line) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                line.append("\\x").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                line.append(c);
            }
        }
    }

    private void writeLine(StringBuilder line) {
        try {
            out.write(line.toString().getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            failed(e);
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void failed(IOException e) {
        if (unwritten++ == 0) {
            errors.println("bjoern: writing the access log failed: " + e);
        }
    }

    private void reportDrops() {
        long lost = dropped.get();
        if (lost != reported) {
            errors.println("bjoern: the access log fell behind; " + (lost - reported) + " requests were not logged");
            reported = lost;
        }
        if (unwritten != unwrittenReported) {
            errors.println("bjoern: " + (unwritten - unwrittenReported) + " access log writes failed");
            unwrittenReported = unwritten;
        }
    }
}
