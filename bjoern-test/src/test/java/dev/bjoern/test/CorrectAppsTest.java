package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static dev.bjoern.test.Bodies.lazy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.FileBody;
import dev.bjoern.FileWrapper;
import dev.bjoern.PendingBody;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Correct applications behind the Validator, served by hand: no false alarm, and nothing changed. */
class CorrectAppsTest {
    private static final List<Map.Entry<String, String>> PLAIN = List.of(Map.entry("Content-Type", "text/plain"));

    private static String serve(WsgiApplication app) throws Exception {
        return serve(new HandServer("GET", "/"), app);
    }

    private static String serve(HandServer server, WsgiApplication app) throws Exception {
        String body = server.run(Validator.wrap(app));
        assertEquals("", server.errors.text());
        return body;
    }

    @Test
    void listBody() throws Exception {
        assertEquals("hello", serve((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
            return List.of(bytes("hel"), new byte[0], bytes("lo"));
        }));
    }

    @Test
    void lazyBodyCallingStartResponseInsideItsIterator() throws Exception {
        HandServer server = new HandServer("GET", "/");
        assertEquals("late", serve(server, (environ, startResponse) -> lazy(
                () -> new byte[0],
                () -> {
                    startResponse.call("201 Created", PLAIN);
                    return bytes("late");
                })));
        assertEquals("201 Created", server.status);
    }

    @Test
    void writeCallableBeforeAndInsideTheBody() throws Exception {
        assertEquals("abcd", serve((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of(Map.entry("Content-Length", "4")));
            write.write(bytes("a"));
            return lazy(() -> {
                write.write(bytes("b"));
                return bytes("c");
            }, () -> bytes("d"));
        }));
    }

    @Test
    void excInfoBeforeTheCommitReplacesTheStatus() throws Exception {
        HandServer server = new HandServer("GET", "/");
        assertEquals("failed", serve(server, (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "100")));
            try {
                throw new IllegalStateException("the database is gone");
            } catch (IllegalStateException e) {
                startResponse.call("500 Internal Server Error", PLAIN, e);
                return List.of(bytes("failed"));
            }
        }));
        assertEquals("500 Internal Server Error", server.status);
    }

    @Test
    void excInfoOnTheFirstCallFromAnErrorHandler() throws Exception {
        // PEP 3333 allows it (an error handler around an application that failed before start_response).
        assertEquals("failed", serve((environ, startResponse) -> {
            startResponse.call("500 Internal Server Error", PLAIN, new IllegalStateException("failed early"));
            return List.of(bytes("failed"));
        }));
    }

    @Test
    void excInfoAfterTheCommitIsRethrownAsItIs() {
        RuntimeException failure = new IllegalStateException("failed mid-body");
        HandServer server = new HandServer("GET", "/");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> server.run(Validator.wrap(
                (environ, startResponse) -> {
                    startResponse.call("200 OK", PLAIN);
                    return lazy(() -> bytes("part"), () -> {
                        startResponse.call("500 Internal Server Error", PLAIN, failure);
                        return bytes("never");
                    });
                })));
        assertSame(failure, thrown);
    }

    @Test
    void applicationErrorsGoThroughUnchanged() {
        IllegalArgumentException failure = new IllegalArgumentException("bad input");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> new HandServer("GET", "/").run(Validator.wrap((environ, startResponse) -> {
                    throw failure;
                })));
        assertSame(failure, thrown);
    }

    @Test
    void headWithTheContentLengthOfTheGetAndNoBody() throws Exception {
        assertEquals("", serve(new HandServer("HEAD", "/"), (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "1234")));
            return List.of();
        }));
    }

    @Test
    void noContentAndNotModifiedWithoutABody() throws Exception {
        assertEquals("", serve((environ, startResponse) -> {
            startResponse.call("204 No Content", List.of());
            return List.of();
        }));
        assertEquals("", serve((environ, startResponse) -> {
            startResponse.call("304 Not Modified", List.of(Map.entry("Content-Length", "99")));
            return lazy();
        }));
    }

    @Test
    void closeableBodyIsClosedOnce() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        assertEquals("", serve((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return new ApplicationRulesTest.Closing(closes::incrementAndGet);
        }));
        assertEquals(1, closes.get());
    }

    @Test
    void closeableIteratorIsClosedWhenTheBodyIsNot() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        final class ClosingIterator implements Iterator<byte[]>, AutoCloseable {
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public byte[] next() {
                done = true;
                return bytes("it");
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        }
        assertEquals("it", serve((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return ClosingIterator::new;
        }));
        assertEquals(1, closes.get());
    }

    @Test
    void pendingBodyHandedOverByAnotherThread() throws Exception {
        Later later = new Later();
        Thread producer = new Thread(() -> {
            try {
                if (later.notReady.await(20, TimeUnit.SECONDS)) {
                    later.chunk.complete(bytes("made elsewhere"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        assertEquals("made elsewhere", serve((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return later;
        }));
        producer.join();
        assertEquals(0, later.notReady.getCount(), "ready() answered false first");
        assertEquals(1, later.closes.get());
    }

    @Test
    void fileBodyGoesToTheServerAsItIs(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "from a file");
        HandServer server = new HandServer("GET", "/");
        FileBody[] returned = new FileBody[1];
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "4")));
            returned[0] = FileBody.of(file, 4096);
            return returned[0];
        }).call(server.environ, server);
        assertSame(returned[0], body);
        ((AutoCloseable) body).close();
    }

    @Test
    void fileBodyOverAStreamIsCheckedAsALazyBody() throws Exception {
        assertEquals("streamed", serve((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "8")));
            FileWrapper wrapper = (FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER);
            return wrapper.wrap(new ByteArrayInputStream(bytes("streamed")), 3);
        }));
    }

    @Test
    void theServerSeesTheBodyInTheSameShape() throws Exception {
        assertShape(List.of(bytes("a")), true, true);
        assertShape(new ArrayList<>(List.of(bytes("a"))), true, true);
        assertShape(new LinkedList<>(List.of(bytes("a"))), true, false);
        assertShape(new LinkedHashSet<>(List.of(bytes("a"))), true, false);
        assertShape(lazy(() -> bytes("a")), false, false);
    }

    private static void assertShape(Iterable<byte[]> appBody, boolean collection, boolean randomAccessList)
            throws Exception {
        HandServer server = new HandServer("GET", "/");
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return appBody;
        }).call(server.environ, server);
        assertEquals(collection, body instanceof Collection, "a Collection");
        assertEquals(randomAccessList, body instanceof List && body instanceof RandomAccess, "a RandomAccess List");
        assertInstanceOf(AutoCloseable.class, body);
        if (collection) {
            assertEquals(1, ((Collection<?>) body).size());
        }
        ((AutoCloseable) body).close();
    }

    @Test
    void pendingIteratorStaysPendingAndItsAnswerIsTheApplications() throws Exception {
        HandServer server = new HandServer("GET", "/");
        Later later = new Later();
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return later;
        }).call(server.environ, server);
        Iterator<byte[]> chunks = body.iterator();
        assertInstanceOf(PendingBody.class, chunks);
        CountDownLatch woken = new CountDownLatch(1);
        assertFalse(((PendingBody) chunks).ready(woken::countDown));
        later.chunk.complete(bytes("now"));
        assertTrue(woken.await(20, TimeUnit.SECONDS), "the server's onReady ran");
        assertTrue(((PendingBody) chunks).ready(() -> { }));
        assertEquals("now", new String(chunks.next(), java.nio.charset.StandardCharsets.ISO_8859_1));
        ((AutoCloseable) body).close();
    }

    @Test
    void listWalkedByIndexAsTheEngineDoes() throws Exception {
        HandServer server = new HandServer("GET", "/");
        @SuppressWarnings("unchecked")
        List<byte[]> body = (List<byte[]>) Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "3")));
            return List.of(bytes("a"), bytes("bc"));
        }).call(server.environ, server);
        // The engine's order: the first chunk, the length walk, then the rest.
        assertEquals(1, body.get(0).length);
        int length = 0;
        for (int i = 0; i < body.size(); i++) {
            length += body.get(i).length;
        }
        assertEquals(3, length);
        for (int i = 1; i < body.size(); i++) {
            assertEquals(2, body.get(i).length);
        }
        ((AutoCloseable) body).close();
    }

    @Test
    void environOfAUnixSocketAndOfOptionsStar() throws Exception {
        HandServer server = new HandServer("OPTIONS", "*");
        server.environ.put(Environ.SERVER_NAME, "localhost");
        server.environ.put(Environ.SERVER_PORT, "80");
        server.environ.put(Environ.REMOTE_ADDR, "");
        server.environ.put(Environ.REMOTE_PORT, "");
        server.environ.put(Environ.CONTENT_LENGTH, "005");
        server.environ.put(Environ.SCRIPT_NAME, "/app");
        server.environ.put("myapp.user", "J\u00f6rg \u2603");
        assertEquals("", serve(server, (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Allow", "GET, HEAD")));
            return List.of();
        }));
    }
}
