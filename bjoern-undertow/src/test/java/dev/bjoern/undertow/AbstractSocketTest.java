package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bjoern.undertow.cliapps.Where;
import java.net.BindException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Linux abstract unix sockets (unix:@name): served on JDK 22+ to curl --abstract-unix-socket and socat;
 * refused on older JDKs with the JDK needed. The build runs this class on both.
 */
class AbstractSocketTest {
    private static final int JDK = Runtime.version().feature();

    private static String name() {
        return "bjoern-test-" + UUID.randomUUID();
    }

    @Test
    void servesCurlAndSocatOnAnAbstractSocket() throws Exception {
        assumeTrue(JDK >= 22, "abstract sockets need JDK 22+; this JDK's refusal is tested below");
        String name = name();
        try (BjoernServer server = BjoernServer.builder(Where.app).host("unix:@" + name).build().start()) {
            assertEquals("unix:@" + name, server.where());
            String curl = Command.run(Tools.require("curl", "apt-get install curl").toString(), "-sS",
                    "--max-time", "20", "--abstract-unix-socket", name, "http://x/").ok();
            assertTrue(curl.startsWith("SERVER_NAME=localhost\nSERVER_PORT=80\nREMOTE_ADDR=\n"), curl);
            String socat = Command.withInput("GET / HTTP/1.0\r\n\r\n",
                    Tools.require("socat", "apt-get install socat").toString(), "-t", "20", "-",
                    "ABSTRACT-CONNECT:" + name).ok();
            assertTrue(socat.startsWith("HTTP/1.0 200 OK\r\n"), socat);
            assertTrue(socat.contains("\r\n\r\nSERVER_NAME=localhost\n"), socat);
        }
    }

    @Test
    void refusesANameAnotherServerHolds() throws Exception {
        assumeTrue(JDK >= 22, "abstract sockets need JDK 22+");
        String name = name();
        try (BjoernServer first = BjoernServer.builder(Where.app).host("unix:@" + name).build().start()) {
            BjoernServer second = BjoernServer.builder(Where.app).host("unix:@" + name).build();
            BindException refused = assertThrows(BindException.class, second::bind);
            assertEquals("cannot listen on unix:@" + name + ": another server is listening on it", refused.getMessage());
        }
    }

    @Test
    void theNameIsFreeAgainAfterClose() throws Exception {
        assumeTrue(JDK >= 22, "abstract sockets need JDK 22+");
        String name = name();
        BjoernServer.builder(Where.app).host("unix:@" + name).build().start().close();
        try (BjoernServer again = BjoernServer.builder(Where.app).host("unix:@" + name).build().start()) {
            assertEquals("unix:@" + name, again.where());
        }
    }

    @Test
    void refusesAbstractSocketsBeforeJdk22NamingTheJdkNeeded() {
        assumeTrue(JDK < 22, "this JDK serves abstract sockets; the baseline JDK run checks the refusal");
        BjoernServer server = BjoernServer.builder(Where.app).host("unix:@x").build();
        UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class, server::bind);
        assertEquals("unix:@x needs JDK 22 or newer; this is JDK " + JDK + ". On JDK " + JDK
                + ", listen on a socket file (unix:/PATH)", refused.getMessage());
    }

    @Test
    void theCommandLineServesAnAbstractSocketOrNamesTheJdkNeeded() throws Exception {
        String name = name();
        try (Cli cli = Cli.start("-a", "unix:@" + name, "dev.bjoern.undertow.cliapps.Where:app")) {
            if (JDK < 22) {
                assertEquals(1, cli.awaitExit());
                assertEquals("bjoern: unix:@" + name + " needs JDK 22 or newer; this is JDK " + JDK + ". On JDK " + JDK
                        + ", listen on a socket file (unix:/PATH)\n",
                        cli.stderr());
                return;
            }
            assertEquals("unix:@" + name, cli.awaitServing().group(2));
            String socat = Command.withInput("GET / HTTP/1.0\r\n\r\n",
                    Tools.require("socat", "apt-get install socat").toString(), "-t", "20", "-",
                    "ABSTRACT-CONNECT:" + name).ok();
            assertTrue(socat.contains("\r\n\r\nSERVER_NAME=localhost\n"), socat);
        }
    }
}
