package dev.bjoern.servlet.jersey;

/** Jersey mapped at {@code /api/*}: servletPath {@code /api}, pathInfo the rest. */
class JerseyApiMappingTest extends JerseyCases {
    @Override
    String mapping() {
        return "/api/*";
    }
}
