/** A user's application on the module path: a contract app and a servlet, served by one server. */
module dev.bjoern.example {
    requires dev.bjoern.undertow;
    requires dev.bjoern.servlet;
}
