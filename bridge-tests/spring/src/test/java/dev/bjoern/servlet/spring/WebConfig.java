package dev.bjoern.servlet.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.multipart.MultipartResolver;
import org.springframework.web.multipart.support.StandardServletMultipartResolver;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/** Spring MVC configured in code: the controller as a bean, no component scanning. */
@Configuration
@EnableWebMvc
public class WebConfig {
    @Bean
    public ThingsController thingsController() {
        return new ThingsController();
    }

    /** Uploads through the servlet API's getParts(), which the bridge implements. */
    @Bean(name = DispatcherServlet.MULTIPART_RESOLVER_BEAN_NAME)
    public MultipartResolver multipartResolver() {
        return new StandardServletMultipartResolver();
    }
}
