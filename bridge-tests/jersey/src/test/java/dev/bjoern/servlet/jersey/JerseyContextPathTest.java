package dev.bjoern.servlet.jersey;

/** Jersey under the context path {@code /shop}, mapped at {@code /api/*}: every URL starts {@code /shop/api}. */
class JerseyContextPathTest extends JerseyCases {
    @Override
    String contextPath() {
        return "/shop";
    }

    @Override
    String mapping() {
        return "/api/*";
    }
}
