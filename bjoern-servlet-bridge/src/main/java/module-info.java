/**
 * Jakarta Servlets, filters and the frameworks built on them served as a {@link dev.bjoern.WsgiApplication},
 * and the reverse: a {@code WsgiApplication} served by a servlet container.
 *
 * <p>On the module path, a servlet or filter class the bridge is to create must be in a package its module
 * exports (or opens) to {@code dev.bjoern.servlet}.
 */
module dev.bjoern.servlet {
    requires transitive dev.bjoern;
    requires transitive jakarta.servlet;

    exports dev.bjoern.servlet;
}
