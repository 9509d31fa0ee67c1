package dev.bjoern.test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link ConformanceKit#overHttp}: a server of the contract reached with the JDK's HTTP/1.1 client. */
final class HttpServed implements ConformanceKit.Served {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The base URI without its trailing '/', to which targets are appended. */
    private final String base;
    private final String mount;
    private final AutoCloseable stop;
    // One client per server: a pooled connection never outlives the server it went to.
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT).build();

    HttpServed(URI base, AutoCloseable stop) {
        String scheme = base.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || base.getRawQuery() != null
                || base.getRawPath() == null || base.getRawPath().indexOf('%') >= 0) {
            throw new IllegalArgumentException("the base must be an http or https URI without a query or"
                    + " percent-escapes, like http://127.0.0.1:8000/, got " + base);
        }
        this.base = strip(base.toString());
        this.mount = strip(base.getRawPath());
        this.stop = stop;
    }

    private static String strip(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public TestResponse request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body)
            throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + target)).timeout(TIMEOUT);
        boolean chunked = false;
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase("Transfer-Encoding") && header.getValue().equals("chunked")) {
                chunked = true; // the client frames a body of unknown length so itself
            } else {
                request.header(header.getKey(), header.getValue());
            }
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            // Not a cut-off response: no response at all.
            throw new AssertionError("no response to " + method + " " + target + " within " + TIMEOUT.toSeconds()
                    + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + method + " " + target);
        }
        List<Map.Entry<String, String>> received = new ArrayList<>();
        response.headers().map().forEach((name, values) -> values.forEach(v -> received.add(Map.entry(name, v))));
        // The JDK's client does not give the reason phrase.
        return new TestResponse(Integer.toString(response.statusCode()), received, response.body(), "");
    }

    @Override
    public String scriptName() {
        return mount;
    }

    @Override
    public void close() throws Exception {
        stop.close();
    }
}
