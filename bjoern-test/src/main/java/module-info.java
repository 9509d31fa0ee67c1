/**
 * Testing applications and servers of the contract: {@link dev.bjoern.test.TestClient}, which calls an
 * application in-process; {@link dev.bjoern.test.Validator}, which checks SPEC.md's rules on both sides of a
 * call; {@link dev.bjoern.test.BjoernExtension}, a JUnit 5 extension that serves an application on a real
 * server; {@link dev.bjoern.test.ConformanceKit}, SPEC.md's clauses as JUnit 5 tests for any server. The engine,
 * JUnit and the JDK's HTTP client are needed only by the extension and the kit: whoever uses them requires them
 * itself. Not {@code static transitive}: javac would then want them on the module path of every module that
 * requires this one, the Validator's users too.
 */
module dev.bjoern.test {
    requires transitive dev.bjoern;
    requires static dev.bjoern.undertow;
    requires static org.junit.jupiter.api;
    requires static java.net.http;

    exports dev.bjoern.test;
}
