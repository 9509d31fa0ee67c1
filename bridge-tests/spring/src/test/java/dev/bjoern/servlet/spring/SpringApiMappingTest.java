package dev.bjoern.servlet.spring;

/** Spring mapped at {@code /api/*}: servletPath {@code /api}, pathInfo the rest. */
class SpringApiMappingTest extends SpringCases {
    @Override
    String mapping() {
        return "/api/*";
    }
}
