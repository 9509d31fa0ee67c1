package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bjoern.WsgiApplication;
import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import dev.bjoern.web.Environs;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final TestClient client = TestClient.of(Validator.wrap(Router.app));

    private static TestResponse send(TestClient client, String method, String target) {
        return client.request(method, target, List.of(), null);
    }

    @Test
    void matchesPathParametersAsUtf8Text() {
        TestResponse response = client.get("/hello/caf%C3%A9");
        assertEquals(200, response.status());
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertEquals("Hello, café!\n", response.text());
        assertEquals("try /hello/<name>\n", client.get("/").text());
    }

    @Test
    void givesTheViewTheRequest() {
        assertEquals("ping", client.post("/echo", "text/plain", "ping").text());
    }

    @Test
    void answersHeadWhereItAnswersGet() {
        TestResponse response = send(client, "HEAD", "/hello/x");
        assertEquals(200, response.status());
        assertEquals("10", response.header("Content-Length"));
        assertEquals(0, response.body().length);
    }

    @Test
    void answers404WhenNoRouteMatchesThePath() {
        for (String target : List.of("/nowhere", "/hello", "/hello/a/b", "/echo/")) {
            TestResponse response = client.get(target);
            assertEquals(404, response.status(), target);
            assertEquals("404 Not Found", response.statusLine());
            assertNull(response.header("Allow"), target);
        }
        assertEquals(404, send(client, "DELETE", "/nowhere").status());
    }

    @Test
    void answers405WithTheMethodsOfTheRoutesThatMatch() {
        TestResponse delete = send(client, "DELETE", "/");
        assertEquals("405 Method Not Allowed", delete.statusLine());
        assertEquals("GET, HEAD", delete.header("Allow"));
        assertEquals("method not allowed\n", delete.text());
        assertEquals("GET, HEAD", client.post("/hello/x", "text/plain", "").header("Allow"));
        TestResponse get = client.get("/echo");
        assertEquals(405, get.status());
        assertEquals("POST", get.header("Allow"));
    }

    @Test
    void listsAllowedMethodsInTheOrderTheirRoutesWereAdded() {
        WsgiApplication routes = new Router()
                .route("PUT", "/items/<id>", (params, request) -> "put\n")
                .route("GET", "/items/<id>", (params, request) -> "get\n")
                .route("DELETE", "/items/<id>", (params, request) -> "deleted\n")
                .route("GET", "/items/new", (params, request) -> "form\n");
        TestClient items = TestClient.of(Validator.wrap(routes));
        assertEquals("PUT, GET, HEAD, DELETE", send(items, "PATCH", "/items/7").header("Allow"));
        assertEquals("PUT, GET, HEAD, DELETE", send(items, "PATCH", "/items/new").header("Allow"));
        assertEquals("get\n", items.get("/items/new").text(), "the first route that matches answers");
        assertEquals("deleted\n", send(items, "DELETE", "/items/7").text());
    }

    @Test
    void routesOnPathInfoBelowWhereItIsMounted() {
        // A prefix moved from PATH_INFO to SCRIPT_NAME, as a server does for an app mounted under /api.
        WsgiApplication mounted = (environ, startResponse) -> {
            Environs.shiftPathInfo(environ);
            return Router.app.call(environ, startResponse);
        };
        assertEquals("Hello, api!\n", TestClient.of(Validator.wrap(mounted)).get("/api/hello/api").text());
    }

    @Test
    void mainServesOnTheGivenPort() throws Exception {
        try (SampleProcess sample = new SampleProcess(Router.class, "0")) {
            HttpResponse<byte[]> response = sample.get("/hello/world");
            assertEquals("Hello, world!\n", new String(response.body()));
            assertEquals(0, sample.stop());
        }
    }
}
