package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonServiceTest {
    private final TestClient client = TestClient.of(Validator.wrap(new JsonService()));

    private TestResponse send(String method, String target, String cookie) {
        return client.request(method, target, cookie == null ? List.of() : List.of(Map.entry("Cookie", cookie)), null);
    }

    private TestResponse create(String json) {
        return client.post("/items", "application/json", json);
    }

    private static JsonObject object(TestResponse response) throws Exception {
        assertEquals("application/json", response.header("Content-Type"));
        assertEquals("", response.errors(), "nothing logged, no rule of the contract broken");
        return JsonParser.object().from(response.text());
    }

    private static JsonArray array(TestResponse response) throws Exception {
        assertEquals("application/json", response.header("Content-Type"));
        assertEquals("", response.errors(), "nothing logged, no rule of the contract broken");
        return JsonParser.array().from(response.text());
    }

    private static List<String> field(JsonArray items, String name) {
        return items.stream().map(item -> ((JsonObject) item).getString(name)).toList();
    }

    @Test
    void listsNothingAtFirst() throws Exception {
        TestResponse response = client.get("/items");
        assertEquals(200, response.status());
        assertEquals(List.of(), array(response));
    }

    @Test
    void createsAnItemFromAJsonObjectAndSetsTheLastCookie() throws Exception {
        TestResponse created = create("{\"name\": \"Jörg's tea\", \"price\": 4.5, \"tags\": [\"hot\"]}");
        assertEquals("201 Created", created.statusLine());
        JsonObject item = object(created);
        assertEquals("1", item.getString("id"));
        assertEquals("Jörg's tea", item.getString("name"));
        assertEquals(4.5, item.getDouble("price"));
        assertEquals(List.of("hot"), item.getArray("tags"));
        assertEquals("last=1; HttpOnly", created.header("Set-Cookie"));
        assertEquals("2", object(create("{}")).getString("id"));
    }

    @Test
    void showsOneItemById() throws Exception {
        create("{\"name\": \"tea\"}");
        create("{\"name\": \"coffee\"}");
        TestResponse response = client.get("/items/2");
        assertEquals(200, response.status());
        assertEquals(Map.of("id", "2", "name", "coffee"), object(response));
        TestResponse head = send("HEAD", "/items/2", null);
        assertEquals(200, head.status());
        assertEquals(0, head.body().length);
    }

    @Test
    void showsTheItemTheLastCookieNames() throws Exception {
        create("{\"name\": \"tea\"}");
        String cookie = create("{\"name\": \"coffee\"}").header("Set-Cookie").split(";")[0];
        assertEquals("coffee", object(send("GET", "/items/last", cookie)).getString("name"));
        assertEquals("tea", object(send("GET", "/items/last", "theme=dark; last=1")).getString("name"));
        assertEquals(404, send("GET", "/items/last", null).status(), "no cookie");
        assertEquals(404, send("GET", "/items/last", "last=9").status(), "a cookie naming no item");
    }

    @Test
    void listsInOrderOfCreationUpToTheLimit() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            create("{\"name\": \"" + name + "\"}");
        }
        assertEquals(List.of("1", "2", "3"), field(array(client.get("/items")), "id"));
        assertEquals(List.of("a", "b"), field(array(client.get("/items?limit=2")), "name"));
        assertEquals(List.of(), array(client.get("/items?limit=0")));
        assertEquals(3, array(client.get("/items?limit=50")).size());
    }

    @Test
    void refusesALimitThatIsNotACount() throws Exception {
        for (String limit : List.of("ten", "-1", "", "99999999999")) {
            TestResponse response = client.get("/items?limit=" + limit);
            assertEquals(400, response.status(), limit);
            assertTrue(object(response).getString("error").startsWith("bad request: "), response.text());
        }
    }

    @Test
    void refusesABodyThatIsNotAJsonObject() throws Exception {
        for (String body : List.of("{\"name\": ", "not json", "", "[1, 2]", "{} {}")) {
            TestResponse response = create(body);
            assertEquals(400, response.status(), body);
            assertTrue(object(response).getString("error").startsWith("bad request: "), response.text());
        }
        assertEquals(List.of(), array(client.get("/items")), "nothing was stored");
    }

    @Test
    void answers404ForAnUnknownPathOrItem() throws Exception {
        for (String target : List.of("/", "/item", "/items/", "/items/1", "/items/1/x", "/itemsx")) {
            TestResponse response = client.get(target);
            assertEquals(404, response.status(), target);
            assertEquals(Map.of("error", "not found"), object(response));
            assertNull(response.header("Allow"));
        }
        assertEquals(404, send("DELETE", "/nowhere", null).status());
    }

    @Test
    void answers405WithAllowForAMethodThePathDoesNotTake() throws Exception {
        TestResponse delete = send("DELETE", "/items", null);
        assertEquals("405 Method Not Allowed", delete.statusLine());
        assertEquals("GET, HEAD, POST", delete.header("Allow"));
        assertEquals(Map.of("error", "not allowed"), object(delete));
        create("{}");
        TestResponse post = client.post("/items/1", "application/json", "{}");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));
        assertEquals("GET, HEAD", send("PUT", "/items/last", "last=1").header("Allow"));
    }

    @Test
    void mainServesOnTheGivenPort() throws Exception {
        try (SampleProcess sample = new SampleProcess(JsonService.class, "0")) {
            HttpResponse<byte[]> response = sample.get("/items");
            assertEquals(200, response.statusCode());
            assertEquals("[]", new String(response.body()));
            assertEquals(0, sample.stop());
        }
    }
}
