package dev.bjoern.servlet.jersey;

import dev.bjoern.servlet.ServletApplication;
import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** Jersey configured in code (no web.xml, no scanning) and made a WsgiApplication by the bridge. */
final class JerseyApps {
    private JerseyApps() {
    }

    static ServletApplication app(String contextPath, String mapping, boolean async) {
        ResourceConfig config = new ResourceConfig()
                .register(ThingsResource.class)
                .register(JacksonJsonProvider.class);
        return ServletApplication.builder(new ServletContainer(config))
                .contextPath(contextPath)
                .mapping(mapping)
                .filter(new FormPeekFilter(), "/*")
                .async(async)
                .build();
    }
}
