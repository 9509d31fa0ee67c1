package dev.bjoern.test;

import dev.bjoern.undertow.BjoernServer;

/**
 * SPEC.md's clauses against BjoernServer calling the application on two application threads of its own (the
 * profile's section 1), lazy bodies pulled there too; the same clauses disabled.
 */
class PooledServerConformanceTest extends BjoernServerConformanceTest {
    @Override
    BjoernServer.Builder settings(BjoernServer.Builder builder) {
        return builder.threads(2);
    }
}
