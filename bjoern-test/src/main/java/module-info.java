/**
 * Testing applications of the contract: {@link dev.bjoern.test.Validator}, which checks SPEC.md's rules on both
 * sides of a call, and {@link dev.bjoern.test.BjoernExtension}, a JUnit 5 extension that serves an application on
 * a real server. The engine and JUnit are needed only by the extension: whoever uses it requires both itself.
 * Not {@code static transitive}: javac would then want them on the module path of every module that requires
 * this one, the Validator's users too.
 */
module dev.bjoern.test {
    requires transitive dev.bjoern;
    requires static dev.bjoern.undertow;
    requires static org.junit.jupiter.api;

    exports dev.bjoern.test;
}
