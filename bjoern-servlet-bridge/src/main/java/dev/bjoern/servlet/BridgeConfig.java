package dev.bjoern.servlet;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The name and init parameters of the servlet or of one filter. */
final class BridgeConfig implements ServletConfig, FilterConfig {
    private final String name;
    private final ServletContext context;
    private final Map<String, String> initParameters;

    BridgeConfig(String name, ServletContext context, Map<String, String> initParameters) {
        this.name = name;
        this.context = context;
        this.initParameters = new LinkedHashMap<>(initParameters);
    }

    @Override
    public String getServletName() {
        return name;
    }

    @Override
    public String getFilterName() {
        return name;
    }

    @Override
    public ServletContext getServletContext() {
        return context;
    }

    @Override
    public String getInitParameter(String name) {
        return initParameters.get(name);
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(initParameters.keySet());
    }
}
