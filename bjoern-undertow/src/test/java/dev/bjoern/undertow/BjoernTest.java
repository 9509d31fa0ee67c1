package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.cliapps.Closing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

class BjoernTest {
    private static final WsgiApplication HELLO = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of());
        return List.of("hi".getBytes());
    };

    @Test
    void runWithoutListenSaysWhatToCallFirst() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Bjoern::run);
        assertEquals("Must call Bjoern.listen(app, host, port) before calling Bjoern.run() without arguments.",
                e.getMessage());
    }

    @Test
    void runPrintsTheServingLineOfTheCommandLineAndClosesTheAppOnceAfterTheDrain() throws Exception {
        try (Cli cli = Cli.start(new ProcessBuilder(Cli.java(Closing.class.getName())))) {
            Matcher serving = cli.awaitServing();
            assertNull(serving.group(1), "Bjoern.run names no app");
            assertEquals("bjoern: serving on http://127.0.0.1:" + serving.group(4) + "/", serving.group());
            assertEquals("open", HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(serving.group(2))).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            assertEquals("closed\nrun returned\n", cli.stdout());
            assertEquals(serving.group() + "\n", cli.stderr());
        }
    }

    @Test
    void listenThenRunServesUntilSigintAndAllowsOneGlobalServer() throws Exception {
        BjoernServer bound = Bjoern.listen(HELLO, "127.0.0.1", 0);
        assertEquals("Only one global server instance possible",
                assertThrows(IllegalStateException.class, () -> Bjoern.listen(HELLO, "127.0.0.1", 0)).getMessage());
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                Bjoern.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Connections made before run() wait in the backlog and are served once it starts.
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bound.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("hi", response.body());
        // A second run() is refused and leaves the running server alone.
        assertEquals("Bjoern.run() is already serving the global server",
                assertThrows(IllegalStateException.class, Bjoern::run).getMessage());
        assertEquals("hi", HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bound.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        Signal.raise(new Signal("INT"));
        running.get(30, TimeUnit.SECONDS);
        // The global slot is free again.
        BjoernServer second = Bjoern.listen(HELLO, "127.0.0.1", 0);
        CompletableFuture<Void> again = CompletableFuture.runAsync(() -> {
            try {
                Bjoern.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // A served request shows run() has started, and so has installed its signal handlers.
        assertEquals("hi", HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        Signal.raise(new Signal("TERM"));
        again.get(30, TimeUnit.SECONDS);
    }
}
