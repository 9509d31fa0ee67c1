package dev.bjoern.servlet.jersey;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A JAX-RS resource touching what the bridge must get right for Jersey. */
@Path("things")
public class ThingsResource {
    /** A JSON body, read and written by Jackson. */
    public record Thing(String name, int count) {
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String search(@QueryParam("name") String name, @QueryParam("tag") List<String> tags) {
        return "name=" + name + " tags=" + tags;
    }

    @GET
    @Path("{name}")
    @Produces(MediaType.TEXT_PLAIN)
    public String one(@PathParam("name") String name) {
        return "thing " + name;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(Thing thing) {
        return Response.status(201).entity(new Thing(thing.name().toUpperCase(), thing.count() + 1)).build();
    }

    /**
     * A form that {@link FormPeekFilter} has read through getParameter before Jersey: Jersey then finds the
     * body consumed and takes the form parameters from the servlet request's parameter map.
     */
    @POST
    @Path("form")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_PLAIN)
    public String form(@FormParam("name") String name, @FormParam("tag") List<String> tags,
            @Context HttpServletRequest request) {
        return "name=" + name + " tags=" + tags + " filter saw " + request.getAttribute(FormPeekFilter.SEEN);
    }

    @GET
    @Path("boom")
    public String boom() {
        throw new IllegalStateException("boom from the resource");
    }

    @GET
    @Path("old")
    public Response old() {
        return Response.seeOther(URI.create("things/new")).build();
    }

    @GET
    @Path("headers")
    @Produces(MediaType.TEXT_PLAIN)
    public Response headers(@Context HttpHeaders headers) {
        return Response.ok("X-Multi=" + headers.getRequestHeader("X-Multi"))
                .header("X-Out", "first").header("X-Out", "second").build();
    }

    @GET
    @Path("cookies")
    @Produces(MediaType.TEXT_PLAIN)
    public Response cookies(@CookieParam("a") String a, @CookieParam("b") String b) {
        NewCookie made = new NewCookie.Builder("made").value("yes").path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.LAX).build();
        return Response.ok("a=" + a + " b=" + b).cookie(made).build();
    }

    /** Jersey writes text as UTF-8 and says so only when the media type names the charset. */
    @GET
    @Path("charset")
    @Produces(MediaType.TEXT_PLAIN)
    public String charset() {
        return "café";
    }

    @GET
    @Path("charset-declared")
    @Produces(MediaType.TEXT_PLAIN + ";charset=UTF-8")
    public String charsetDeclared() {
        return "café";
    }

    /**
     * Straight to the servlet writer, as legacy code would: the servlet default charset applies. Flushed, so
     * that the 204 Jersey answers for a void method comes after the commit and changes nothing.
     */
    @GET
    @Path("writer")
    public void writer(@Context HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().write("café");
        response.flushBuffer();
    }

    @GET
    @Path("counter")
    @Produces(MediaType.TEXT_PLAIN)
    public String counter(@Context HttpServletRequest request) {
        HttpSession session = request.getSession();
        Integer count = (Integer) session.getAttribute("count");
        count = count == null ? 1 : count + 1;
        session.setAttribute("count", count);
        return Integer.toString(count);
    }

    /** Resumed from another thread, as a callback from a client library would. */
    @GET
    @Path("suspended")
    @Produces(MediaType.TEXT_PLAIN)
    public void suspended(@Suspended AsyncResponse response) {
        new Thread(() -> response.resume("resumed café"), "resumer").start();
    }

    @GET
    @Path("stage")
    @Produces(MediaType.TEXT_PLAIN)
    public CompletionStage<String> stage() {
        return CompletableFuture.supplyAsync(() -> "completed stage");
    }
}
