package dev.bjoern.servlet.spring;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.view.RedirectView;

/**
 * A controller touching what the bridge must get right for Spring MVC. Parameters are named in their
 * annotations: the build does not compile with {@code -parameters}.
 */
@RestController
@RequestMapping("/things")
public class ThingsController {
    /** A JSON body, read and written by Jackson. */
    public record Thing(String name, int count) {
    }

    @GetMapping(produces = MediaType.TEXT_PLAIN_VALUE)
    public String search(@RequestParam("name") String name, @RequestParam("tag") List<String> tag) {
        return "name=" + name + " tags=" + tag;
    }

    @GetMapping(path = "/{name}", produces = MediaType.TEXT_PLAIN_VALUE)
    public String one(@PathVariable("name") String name) {
        return "thing " + name;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Thing> create(@RequestBody Thing thing) {
        return ResponseEntity.status(201).body(new Thing(thing.name().toUpperCase(), thing.count() + 1));
    }

    /** Reads the form through the servlet API; CharacterEncodingFilter has set UTF-8 before. */
    @PostMapping(path = "/form", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
            produces = MediaType.TEXT_PLAIN_VALUE)
    public String form(HttpServletRequest request) {
        return "name=" + request.getParameter("name") + " tags=" + List.of(request.getParameterValues("tag"));
    }

    @GetMapping("/boom")
    public String boom() {
        throw new IllegalStateException("boom from the controller");
    }

    /** A relative redirect: the servlet response's sendRedirect makes it absolute or sends it as is. */
    @GetMapping("/old")
    public RedirectView old() {
        return new RedirectView("new");
    }

    @GetMapping(path = "/headers", produces = MediaType.TEXT_PLAIN_VALUE)
    public ResponseEntity<String> headers(@RequestHeader("X-Multi") List<String> multi) {
        return ResponseEntity.ok().header("X-Out", "first", "second").body("X-Multi=" + multi);
    }

    @GetMapping(path = "/cookies", produces = MediaType.TEXT_PLAIN_VALUE)
    public String cookies(@CookieValue("a") String a, @CookieValue("b") String b, HttpServletResponse response) {
        Cookie made = new Cookie("made", "yes");
        made.setPath("/");
        made.setHttpOnly(true);
        made.setAttribute("SameSite", "Lax");
        response.addCookie(made);
        return "a=" + a + " b=" + b;
    }

    @GetMapping(path = "/charset", produces = MediaType.TEXT_PLAIN_VALUE)
    public String charset() {
        return "café";
    }

    /** Written straight to the servlet writer: the charset comes from CharacterEncodingFilter alone. */
    @GetMapping("/writer")
    public void writer(HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().write("café");
    }

    @GetMapping(path = "/counter", produces = MediaType.TEXT_PLAIN_VALUE)
    public String counter(HttpSession session) {
        Integer count = (Integer) session.getAttribute("count");
        count = count == null ? 1 : count + 1;
        session.setAttribute("count", count);
        return Integer.toString(count);
    }

    @PostMapping(path = "/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.TEXT_PLAIN_VALUE)
    public String upload(@RequestParam("file") MultipartFile file, @RequestParam("note") String note) throws IOException {
        return "file=" + file.getOriginalFilename() + " size=" + file.getSize() + " type=" + file.getContentType()
                + " note=" + note + " content=" + new String(file.getBytes(), StandardCharsets.UTF_8);
    }

    @GetMapping(path = "/callable", produces = MediaType.TEXT_PLAIN_VALUE)
    public Callable<String> callable() {
        return () -> "callable done";
    }

    /** Completed from another thread, as a callback from a client library would. */
    @GetMapping(path = "/deferred", produces = MediaType.TEXT_PLAIN_VALUE)
    public DeferredResult<String> deferred() {
        DeferredResult<String> result = new DeferredResult<>(10_000L);
        new Thread(() -> result.setResult("deferred café"), "completer").start();
        return result;
    }
}
