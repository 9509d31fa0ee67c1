package dev.bjoern.servlet.jersey;

/** Jersey mapped at {@code /*}. */
class JerseyRootMappingTest extends JerseyCases {
    @Override
    String mapping() {
        return "/*";
    }
}
