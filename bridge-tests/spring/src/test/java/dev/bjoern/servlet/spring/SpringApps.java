package dev.bjoern.servlet.spring;

import dev.bjoern.servlet.ServletApplication;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.filter.CharacterEncodingFilter;
import org.springframework.web.servlet.DispatcherServlet;

/** Spring MVC configured in code (no web.xml, no scanning) and made a WsgiApplication by the bridge. */
final class SpringApps {
    private SpringApps() {
    }

    static ServletApplication app(String contextPath, String mapping, boolean async) {
        AnnotationConfigWebApplicationContext context = new AnnotationConfigWebApplicationContext();
        context.register(WebConfig.class);
        return ServletApplication.builder(new DispatcherServlet(context))
                .contextPath(contextPath)
                .mapping(mapping)
                .filter(new CharacterEncodingFilter("UTF-8", true), "/*")
                .async(async)
                .build();
    }
}
