package dev.bjoern.samples.jersey;

import dev.bjoern.WsgiApplication;
import dev.bjoern.servlet.ServletApplication;
import dev.bjoern.undertow.Bjoern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** A JAX-RS resource on Jersey, served by our server through the servlet bridge, until Ctrl-C. */
public final class JerseyHello {
    private JerseyHello() {
    }

    /** The resource: {@code GET /hello/{name}?greeting=...}. */
    @Path("hello")
    public static final class Greeting {
        @GET
        @Path("{name}")
        @Produces(MediaType.TEXT_PLAIN + ";charset=UTF-8")
        public String hello(@PathParam("name") String name, @QueryParam("greeting") String greeting) {
            return (greeting == null ? "Hello" : greeting) + ", " + name + "!\n";
        }
    }

    /** Jersey configured in code: the resource registered by class, no scanning, no web.xml. */
    public static WsgiApplication app() {
        return ServletApplication.of(new ServletContainer(new ResourceConfig(Greeting.class)));
    }

    /** Optional arguments: host and port (8000; 0 picks a free one). */
    public static void main(String[] args) throws Exception {
        // Serves /hello/world; Ctrl-C stops it.
        Bjoern.run(app(), args.length > 0 ? args[0] : "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 8000);
    }
}
