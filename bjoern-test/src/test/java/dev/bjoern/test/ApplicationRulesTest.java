package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static dev.bjoern.test.Bodies.lazy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.FileBody;
import dev.bjoern.PendingBody;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken application per rule: the Validator throws an AssertionError naming the rule. */
class ApplicationRulesTest {
    private static final List<Map.Entry<String, String>> PLAIN = List.of(Map.entry("Content-Type", "text/plain"));

    /** Serves {@code app} through the Validator by hand; returns what the Validator threw. */
    private static AssertionError brokenBy(WsgiApplication app) {
        return assertThrows(AssertionError.class, () -> new HandServer("GET", "/").run(Validator.wrap(app)));
    }

    @Test
    void statusWithoutAReasonIsRefusedWithResponseRulesMessage() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200", PLAIN);
            return List.of();
        });
        assertEquals("SPEC 4: start_response status must be a 3-digit code from 200 to 599, a space and a reason,"
                + " like \"200 OK\", got \"200\"", e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void informationalStatusIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("103 Early Hints", PLAIN);
            return List.of();
        });
        assertTrue(e.getMessage().startsWith("SPEC 4: start_response status must be a 3-digit code from 200 to 599"),
                e.getMessage());
    }

    @Test
    void headerNameThatIsNotATokenIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Bad Name", "x")));
            return List.of();
        });
        assertEquals("SPEC 4: start_response header name must be an HTTP token (letters, digits and"
                + " !#$%&'*+-.^_`|~), got \"Bad Name\"", e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void headerValueWithALineBreakIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-Split", "a\r\nSet-Cookie: b")));
            return List.of();
        });
        assertEquals("SPEC 4: start_response header X-Split value must be Latin-1 text without control characters"
                + " (CR, LF, NUL...), got \"a\\r\\nSet-Cookie: b\"", e.getMessage());
    }

    @Test
    void nullHeadersAreRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", null);
            return List.of();
        });
        assertEquals("SPEC 4: start_response headers must be a list of name/value pairs, got null", e.getMessage());
    }

    @Test
    void transferEncodingIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Transfer-Encoding", "chunked")));
            return List.of();
        });
        assertEquals("SPEC 4: start_response header Transfer-Encoding is hop-by-hop and the server's to set"
                + " (PEP 3333); give Content-Length or nothing", e.getMessage());
    }

    @Test
    void contentLengthThatIsNotANumberIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "-1")));
            return List.of();
        });
        assertEquals("SPEC 4: start_response header Content-Length must be a non-negative integer, got \"-1\"",
                e.getMessage());
    }

    @Test
    void secondStartResponseWithoutExcInfoIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            startResponse.call("404 Not Found", PLAIN);
            return List.of();
        });
        assertEquals("SPEC 4: start_response was already called; a second call must pass excInfo", e.getMessage());
    }

    @Test
    void startResponseFromAnotherThreadIsRefused() throws Exception {
        AssertionError e = brokenBy((environ, startResponse) -> {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    startResponse.call("200 OK", PLAIN);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "other");
            other.start();
            other.join();
            throw (AssertionError) thrown.get();
        });
        assertEquals("SPEC 1: start_response was called on thread \"other\" while neither the application nor its"
                + " body's iterator ran there; it belongs to the thread running them, while they run", e.getMessage());
    }

    @Test
    void nullBodyIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return null;
        });
        assertEquals("SPEC 1: the application returned null instead of a body", e.getMessage());
    }

    @Test
    void nullChunkIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return lazy(() -> bytes("a"), () -> null);
        });
        assertEquals("SPEC 6: the application's body yielded null instead of bytes", e.getMessage());
    }

    @Test
    void nullElementOfAListIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return Arrays.asList(bytes("a"), null);
        });
        assertEquals("SPEC 6: the application's body holds null instead of bytes", e.getMessage());
    }

    @Test
    void chunkBeforeStartResponseIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> lazy(() -> bytes("too early")));
        assertEquals("SPEC 1: the body yielded a non-empty chunk before start_response was called", e.getMessage());
    }

    @Test
    void listBodyWithoutStartResponseIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> List.of(bytes("no status")));
        assertEquals("SPEC 1: the body yielded a non-empty chunk before start_response was called", e.getMessage());
    }

    @Test
    void bodyEndingWithoutStartResponseIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> lazy(() -> new byte[0]));
        assertEquals("SPEC 6: the body ended and the application did not call start_response", e.getMessage());
    }

    @Test
    void emptyListWithoutStartResponseIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> List.of());
        assertEquals("SPEC 6: the body ended and the application did not call start_response", e.getMessage());
    }

    @Test
    void writeOfNullIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN).write(null);
            return List.of();
        });
        assertEquals("SPEC 5: write takes bytes, got null", e.getMessage());
    }

    @Test
    void writeAfterTheApplicationReturnedIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", PLAIN);
            // A body whose close() writes: the response is over by then.
            return new Closing(() -> write.write(bytes("late")));
        });
        assertEquals("SPEC 5: write was called on thread \"" + Thread.currentThread().getName() + "\" while neither"
                + " the application nor its body's iterator ran there; it belongs to the thread running them, while"
                + " they run", e.getMessage());
    }

    @Test
    void writeFromAnotherThreadIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", PLAIN);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    write.write(bytes("x"));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "other");
            other.start();
            other.join();
            throw (AssertionError) thrown.get();
        });
        assertTrue(e.getMessage().startsWith("SPEC 5: write was called on thread \"other\""), e.getMessage());
    }

    @Test
    void listShorterThanItsContentLengthIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
            return List.of(bytes("abc"));
        });
        assertEquals("SPEC 6: the body ended 2 bytes short of its Content-Length (5)", e.getMessage());
    }

    @Test
    void lazyBodyShorterThanItsContentLengthIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "10")));
            return lazy(() -> bytes("abc"), () -> bytes("def"));
        });
        assertEquals("SPEC 6: the body ended 4 bytes short of its Content-Length (10)", e.getMessage());
    }

    @Test
    void lazyBodyLongerThanItsContentLengthIsRefusedAtTheChunkTooMany() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "3")));
            return lazy(() -> bytes("ab"), () -> bytes("cd"), () -> bytes("never pulled"));
        });
        assertEquals("SPEC 6: the body is longer than its Content-Length (3): 4 bytes so far", e.getMessage());
    }

    @Test
    void listLongerThanItsContentLengthIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "3")));
            return List.of(bytes("hello"));
        });
        assertEquals("SPEC 6: the body is longer than its Content-Length (3): 5 bytes in all", e.getMessage());
    }

    @Test
    void writesLongerThanTheContentLengthAreRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of(Map.entry("Content-Length", "4")));
            write.write(bytes("abc"));
            write.write(bytes("def"));
            return List.of();
        });
        assertEquals("SPEC 6: the body is longer than its Content-Length (4): 6 bytes so far", e.getMessage());
    }

    @Test
    void fileBodyBeforeStartResponseIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "file");
        AssertionError e = brokenBy((environ, startResponse) -> FileBody.of(file, 4096));
        assertEquals("SPEC 7: the application returned a file body before calling start_response; a file body is"
                + " not iterated, so start_response must come first", e.getMessage());
    }

    @Test
    void fileShorterThanItsContentLengthIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "file");
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "10")));
            return FileBody.of(file, 4096);
        });
        assertEquals("SPEC 7: the file body ended 6 bytes short of its Content-Length (10)", e.getMessage());
    }

    @Test
    void onReadyRunTwiceIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return new Pending((onReady, calls) -> {
                if (calls == 1) {
                    onReady.run();
                    onReady.run();
                    return false;
                }
                return true;
            });
        });
        assertEquals("SPEC 6: the body ran onReady twice for one answer of ready(); it must run it exactly once"
                + " after answering false", e.getMessage());
    }

    @Test
    void onReadyAfterATrueAnswerIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return new Pending((onReady, calls) -> {
                onReady.run();
                return true;
            });
        });
        assertEquals("SPEC 6: the body ran onReady and then ready() returned true; it must run it only after"
                + " answering false", e.getMessage());
    }

    @Test
    void onReadyKeptAndRunLaterAfterATrueAnswerIsRefused() {
        AssertionError e = brokenBy((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            AtomicReference<Runnable> kept = new AtomicReference<>();
            return new Pending((onReady, calls) -> {
                if (kept.get() != null) {
                    kept.get().run();
                }
                kept.set(onReady);
                return true;
            });
        });
        assertEquals("SPEC 6: the body ran onReady after ready() returned true; it must run it only after"
                + " answering false", e.getMessage());
    }

    /** A body whose close() runs an action, and passes on what it throws. */
    @SuppressWarnings("try")
    static final class Closing implements Iterable<byte[]>, AutoCloseable {
        interface Action {
            void run() throws Exception;
        }

        private final Action onClose;

        Closing(Action onClose) {
            this.onClose = onClose;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return List.<byte[]>of().iterator();
        }

        @Override
        public void close() throws Exception {
            onClose.run();
        }
    }

    /** A pending body of two chunks whose ready() the test writes; it is its own iterator. */
    static final class Pending implements Iterable<byte[]>, Iterator<byte[]>, PendingBody {
        interface Ready {
            boolean ready(Runnable onReady, int calls);
        }

        private final Ready ready;
        private int calls;
        private int left = 2;

        Pending(Ready ready) {
            this.ready = ready;
        }

        @Override
        public boolean ready(Runnable onReady) {
            assertNotNull(onReady);
            return ready.ready(onReady, ++calls);
        }

        @Override
        public Iterator<byte[]> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            return left > 0;
        }

        @Override
        public byte[] next() {
            left--;
            return bytes("chunk");
        }
    }
}
