package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * nginx from the distribution in front of our unix socket, with the two sites of docs/deploy as they are
 * shown in docs/deployment.md: only the socket path and the listening port are replaced. 2,000 requests
 * through it with ab -k (HTTP/1.0 keep-alive to nginx) and with wrk (HTTP/1.1), with no error and no
 * status other than 200.
 *
 * <p>nginx cannot listen on port 0. A perl one-liner binds 127.0.0.1 port 0, writes the port it got into the
 * config and execs nginx, which takes the socket over through its NGINX environment variable (how nginx
 * hands sockets to a new binary): the port is never free for someone else to take.
 */
@Timeout(180)
class NginxTest {
    private static final String SOCKET_PLACEHOLDER = "/run/bjoern/app.sock";
    private static final String LISTEN_PLACEHOLDER = "listen 80;";
    private static final String PERL = """
            use Socket; use Fcntl;
            my ($site, $prefix, $conf) = @ARGV;
            socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
            setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
            bind($s, sockaddr_in(0, INADDR_LOOPBACK)) or die "bind: $!";
            listen($s, 511) or die "listen: $!";
            my ($port) = sockaddr_in(getsockname($s));
            fcntl($s, F_SETFD, fcntl($s, F_GETFD, 0) & ~FD_CLOEXEC);
            open(my $in, '<', $site) or die "$site: $!"; my $text = do { local $/; <$in> }; close $in;
            $text =~ s/LISTEN_PORT/$port/g;
            open(my $out, '>', $site) or die "$site: $!"; print $out $text; close $out;
            print STDERR "port $port\\n";
            $ENV{NGINX} = fileno($s) . ";";
            exec('nginx', '-p', $prefix, '-c', $conf) or die "exec nginx: $!";
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"nginx-http10.conf", "nginx-keepalive.conf"})
    void nginxProxiesToTheUnixSocketWithoutAnErrorForAbAndWrk(String site) throws Exception {
        Tools.require("nginx", "apt-get install nginx-light");
        Tools.require("perl", "apt-get install perl-base");
        String ab = Tools.require("ab", "apt-get install apache2-utils").toString();
        String wrk = Tools.require("wrk", "apt-get install wrk").toString();

        boolean keepAlive = site.equals("nginx-keepalive.conf");
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        AtomicInteger requests = new AtomicInteger();
        WsgiApplication app = (environ, startResponse) -> {
            requests.incrementAndGet();
            // What nginx sent: the protocol and its Connection header.
            seen.computeIfAbsent(environ.get("SERVER_PROTOCOL") + " Connection: " + environ.get("HTTP_CONNECTION"),
                    k -> new AtomicInteger()).incrementAndGet();
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return List.of("Hello, World!".getBytes(StandardCharsets.US_ASCII));
        };
        Path socket = dir.resolve("app.sock");
        try (TestServer server = TestServer.start(app, b -> b.host("unix:" + socket))) {
            Nginx nginx = Nginx.start(dir, site, socket);
            try {
                String url = "http://127.0.0.1:" + nginx.port + "/";
                requests.set(0);
                seen.clear();

                String abOut = run(ab, "-k", "-n", "2000", "-c", "16", url);
                assertEquals("2000", field(abOut, "Complete requests:\\s+(\\d+)"), abOut);
                assertEquals("0", field(abOut, "Failed requests:\\s+(\\d+)"), abOut);
                assertEquals("2000", field(abOut, "Keep-Alive requests:\\s+(\\d+)"), abOut);
                assertFalse(abOut.contains("Non-2xx responses"), abOut);

                Path script = dir.resolve("stop-at-2000.lua");
                Files.writeString(script, """
                        local done = 0
                        response = function(status, headers, body)
                          done = done + 1
                          if done >= 2000 then wrk.thread:stop() end
                        end
                        """);
                String wrkOut = run(wrk, "-t1", "-c16", "-d30s", "-s", script.toString(), url);
                long wrkRequests = Long.parseLong(field(wrkOut, "(\\d+) requests in"));
                assertTrue(wrkRequests >= 2000, wrkOut);
                assertFalse(wrkOut.contains("Socket errors"), wrkOut);
                assertFalse(wrkOut.contains("Non-2xx"), wrkOut);

                System.out.printf("nginx %s: ab -k %s complete, %s failed, %s keep-alive; wrk %d requests, no errors%n",
                        site, field(abOut, "Complete requests:\\s+(\\d+)"), field(abOut, "Failed requests:\\s+(\\d+)"),
                        field(abOut, "Keep-Alive requests:\\s+(\\d+)"), wrkRequests);
                // Every request reached the app, as the site says nginx sends it.
                assertTrue(requests.get() >= 2000 + wrkRequests, requests + " requests reached the app");
                String expected = keepAlive ? "HTTP/1.1 Connection: null" : "HTTP/1.0 Connection: close";
                assertEquals(List.of(expected), List.copyOf(seen.keySet()), "how nginx talked to the app");
                assertEquals("", server.errors());
            } finally {
                nginx.stop();
            }
            String errorLog = Files.readString(dir.resolve("error.log"));
            assertFalse(errorLog.contains("[error]") || errorLog.contains("[crit]") || errorLog.contains("[alert]"),
                    errorLog);
        }
    }

    @Test
    void deploymentMdShowsBothSitesVerbatim() throws Exception {
        String page = Files.readString(site("nginx-http10.conf").getParent().getParent().resolve("deployment.md"));
        for (String site : List.of("nginx-http10.conf", "nginx-keepalive.conf")) {
            String text = Files.readString(site(site));
            assertTrue(page.contains("```nginx\n" + text + "```\n"),
                    "docs/deployment.md must show docs/deploy/" + site + " verbatim in an nginx block");
        }
    }

    /** The site file from docs/deploy. */
    static Path site(String name) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path site = at.resolve("docs/deploy").resolve(name);
            if (Files.isRegularFile(site)) {
                return site;
            }
        }
        throw new AssertionError("no docs/deploy/" + name + " above " + Path.of("").toAbsolutePath());
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(process.waitFor(90, TimeUnit.SECONDS), command[0] + " did not finish");
        String text = output.get(10, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), text);
        return text;
    }

    private static String field(String output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output);
        assertTrue(matcher.find(), "no " + regex + " in:\n" + output);
        return matcher.group(1);
    }

    /** nginx in the foreground with its own prefix, config, pid file and error log in a temporary folder. */
    static final class Nginx {
        final Process process;
        final int port;

        private Nginx(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Nginx start(Path dir, String site, Path socket) throws Exception {
            String text = Files.readString(site(site));
            assertEquals(1, count(text, SOCKET_PLACEHOLDER), site + " names the socket " + SOCKET_PLACEHOLDER + " once");
            assertEquals(1, count(text, LISTEN_PLACEHOLDER), site + " has \"" + LISTEN_PLACEHOLDER + "\" once");
            Files.writeString(dir.resolve("site.conf"), text.replace(SOCKET_PLACEHOLDER, socket.toString())
                    .replace(LISTEN_PLACEHOLDER, "listen 127.0.0.1:LISTEN_PORT;"));
            String nginxV = run("nginx", "-V");
            StringBuilder temp = new StringBuilder();
            for (String module : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
                if (module.equals("client_body") || !nginxV.contains("--without-http_" + module + "_module")) {
                    Files.createDirectories(dir.resolve("temp").resolve(module));
                    temp.append("    ").append(module).append("_temp_path ").append(dir.resolve("temp").resolve(module))
                            .append(";\n");
                }
            }
            boolean root = "root".equals(System.getProperty("user.name"));
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, (root ? "user root;\n" : "") + """
                    daemon off;
                    master_process on;
                    worker_processes 1;
                    pid %s;
                    error_log %s notice;
                    events { worker_connections 1024; }
                    http {
                        access_log off;
                    %s    include %s;
                    }
                    """.formatted(dir.resolve("nginx.pid"), dir.resolve("error.log"), temp, dir.resolve("site.conf")));
            Process process = new ProcessBuilder("perl", "-e", PERL, dir.resolve("site.conf").toString(),
                    dir.toString(), conf.toString()).start();
            BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8));
            String line = stderr.readLine();
            if (line == null || !line.startsWith("port ")) {
                process.destroyForcibly();
                throw new AssertionError("nginx's launcher said " + line + "; error log: "
                        + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""));
            }
            // The rest of stderr, read so that nginx never blocks on it.
            Thread drain = new Thread(() -> {
                try {
                    while (stderr.readLine() != null) {
                        Thread.onSpinWait();
                    }
                } catch (IOException ignored) {
                    // nginx is gone.
                }
            }, "nginx-stderr");
            drain.setDaemon(true);
            drain.start();
            Nginx nginx = new Nginx(process, Integer.parseInt(line.substring("port ".length())));
            nginx.awaitAnswer();
            return nginx;
        }

        /** The socket listens from the start: the first request waits in its backlog until nginx serves. */
        private void awaitAnswer() throws Exception {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("Hello, World!", response.body());
        }

        /** SIGTERM to the master (nginx's fast shutdown), which ends its worker too. */
        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        }

        private static int count(String text, String part) {
            int count = 0;
            for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
                count++;
            }
            return count;
        }
    }
}
