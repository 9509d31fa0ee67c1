package dev.bjoern.servlet.spring;

/** Spring under the context path {@code /shop}, mapped at {@code /api/*}: every URL starts {@code /shop/api}. */
class SpringContextPathTest extends SpringCases {
    @Override
    String contextPath() {
        return "/shop";
    }

    @Override
    String mapping() {
        return "/api/*";
    }
}
