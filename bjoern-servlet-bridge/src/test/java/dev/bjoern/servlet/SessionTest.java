package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** In-memory sessions over the JSESSIONID cookie, round-tripped by a real client. */
class SessionTest {
    static final class CounterServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            switch (req.getPathInfo()) {
                case "/peek": {
                    HttpSession session = req.getSession(false);
                    resp.getWriter().print(session == null ? "none" : "count=" + session.getAttribute("count"));
                    return;
                }
                case "/rotate": {
                    String old = req.getSession().getId();
                    String now = req.changeSessionId();
                    resp.getWriter().print(old.equals(now) ? "same" : "changed");
                    return;
                }
                case "/logout":
                    req.getSession().invalidate();
                    resp.getWriter().print("bye");
                    return;
                default: {
                    HttpSession session = req.getSession();
                    Integer count = (Integer) session.getAttribute("count");
                    session.setAttribute("count", count == null ? 1 : count + 1);
                    resp.getWriter().print("count=" + session.getAttribute("count") + " new=" + session.isNew());
                }
            }
        }
    }

    static final class Recorder implements HttpSessionListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void sessionCreated(HttpSessionEvent se) {
            events.add("created");
        }

        @Override
        public void sessionDestroyed(HttpSessionEvent se) {
            events.add("destroyed");
        }
    }

    private static String cookie(HttpResponse<?> response) {
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static HttpResponse<String> get(ServletServer server, String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return server.send(request);
    }

    @Test
    void aCounterLivesInTheSessionAcrossRequests() throws Exception {
        Recorder recorder = new Recorder();
        try (ServletServer server = new ServletServer(ServletApplication.builder(new CounterServlet())
                .listener(recorder).build())) {
            assertEquals("none", get(server, "/peek", null).body());
            HttpResponse<String> first = get(server, "/count", null);
            assertEquals("count=1 new=true", first.body());
            String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.matches("JSESSIONID=[A-Za-z0-9_-]{24}; HttpOnly; Path=/"), setCookie);
            String cookie = cookie(first);
            assertEquals("count=2 new=false", get(server, "/count", cookie).body());
            HttpResponse<String> third = get(server, "/count", cookie);
            assertEquals("count=3 new=false", third.body());
            assertTrue(third.headers().firstValue("Set-Cookie").isEmpty(), "a known session sets no cookie");
            assertEquals("count=3", get(server, "/peek", cookie).body());
            assertEquals("count=1 new=true", get(server, "/count", "JSESSIONID=unknown").body());

            assertEquals("bye", get(server, "/logout", cookie).body());
            assertEquals("none", get(server, "/peek", cookie).body());
            assertEquals(List.of("created", "created", "destroyed"), recorder.events);
        }
    }

    @Test
    void changeSessionIdKeepsTheSessionUnderANewCookie() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.of(new CounterServlet()))) {
            String cookie = cookie(get(server, "/count", null));
            HttpResponse<String> rotated = get(server, "/rotate", cookie);
            assertEquals("changed", rotated.body());
            String renewed = cookie(rotated);
            assertNotEquals(cookie, renewed);
            assertEquals("none", get(server, "/peek", cookie).body());
            assertEquals("count=1", get(server, "/peek", renewed).body());
        }
    }

    @Test
    void aSessionUnusedForLongerThanItsTimeoutIsGone() throws Exception {
        Recorder recorder = new Recorder();
        try (ServletServer server = new ServletServer(ServletApplication.builder(new CounterServlet())
                .sessionTimeout(Duration.ofSeconds(1)).listener(recorder).build())) {
            String cookie = cookie(get(server, "/count", null));
            long usedAt = System.nanoTime();
            // The condition is time itself: wait until more than the timeout has passed since the last use.
            long left;
            while ((left = Duration.ofMillis(1100).toNanos() - (System.nanoTime() - usedAt)) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
            assertEquals("none", get(server, "/peek", cookie).body());
            assertEquals(List.of("created", "destroyed"), recorder.events);
        }
    }

    @Test
    void theSessionCookieCarriesTheContextPath() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.builder(new CounterServlet())
                .contextPath("/shop").sessionCookieName("SID").build())) {
            HttpResponse<String> response = get(server, "/shop/count", null);
            assertEquals("count=1 new=true", response.body());
            String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.startsWith("SID=") && setCookie.endsWith("; HttpOnly; Path=/shop"), setCookie);
            assertEquals(404, get(server, "/count", null).statusCode());
        }
    }
}
