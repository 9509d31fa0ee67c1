package dev.bjoern.samples.spring;

import dev.bjoern.WsgiApplication;
import dev.bjoern.servlet.ServletApplication;
import dev.bjoern.undertow.Bjoern;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.filter.CharacterEncodingFilter;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/** A Spring MVC controller, served by our server through the servlet bridge, until Ctrl-C. */
public final class SpringHello {
    private SpringHello() {
    }

    /** The controller: {@code GET /hello/{name}?greeting=...}. */
    @RestController
    public static class Greeting {
        @GetMapping(path = "/hello/{name}", produces = MediaType.TEXT_PLAIN_VALUE)
        public String hello(@PathVariable("name") String name,
                @RequestParam(name = "greeting", defaultValue = "Hello") String greeting) {
            return greeting + ", " + name + "!\n";
        }
    }

    /** Spring MVC configured in code: the controller as a bean, no component scanning, no web.xml. */
    @Configuration
    @EnableWebMvc
    public static class WebConfig {
        @Bean
        public Greeting greeting() {
            return new Greeting();
        }
    }

    /** A DispatcherServlet at {@code /*} behind a CharacterEncodingFilter that makes UTF-8 the default. */
    public static WsgiApplication app() {
        AnnotationConfigWebApplicationContext context = new AnnotationConfigWebApplicationContext();
        context.register(WebConfig.class);
        return ServletApplication.builder(new DispatcherServlet(context))
                .filter(new CharacterEncodingFilter("UTF-8", true), "/*")
                .build();
    }

    /** Optional arguments: host and port (8000; 0 picks a free one). */
    public static void main(String[] args) throws Exception {
        // Serves /hello/world; Ctrl-C stops it.
        Bjoern.run(app(), args.length > 0 ? args[0] : "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 8000);
    }
}
