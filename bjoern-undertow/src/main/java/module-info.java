/**
 * The server: one Undertow IO thread running a {@link dev.bjoern.WsgiApplication}, the handler that mounts one
 * in an Undertow of one's own, the metrics, and the command line ({@code dev.bjoern.undertow.Main}).
 *
 * <p>Undertow and XNIO are automatic modules, named after their jar files, and the resolver does not follow
 * what automatic modules use: the modules they need at run time are required here, so that an application's
 * {@code requires dev.bjoern.undertow} is all it takes.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.bjoern.undertow {
    requires transitive dev.bjoern;
    requires transitive undertow.core;
    requires transitive micrometer.core;
    requires xnio.api;
    // What Undertow and XNIO use, which nothing would resolve for them.
    requires org.jboss.logging;
    requires org.jboss.threads;
    // statsd output: optional, present in bjoern-statsd.jar or added by the application.
    requires static micrometer.registry.statsd;
    requires com.grack.nanojson;
    // JBoss Logging writes to java.util.logging by default, and the loops quiet XNIO's logger there.
    requires java.logging;
    // XNIO's classes name JMX types (its MXBeans), and Micrometer's JVM meters read the platform's beans.
    requires java.management;
    // sun.misc.Signal: SIGTERM and SIGINT stop the server gracefully.
    requires jdk.unsupported;

    exports dev.bjoern.undertow;
}
