package dev.bjoern.servlet.spring;

/** Spring mapped at {@code /*}. */
class SpringRootMappingTest extends SpringCases {
    @Override
    String mapping() {
        return "/*";
    }
}
