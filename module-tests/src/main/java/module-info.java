/**
 * A user's application on the module path: a contract app and a servlet, served by one server, and checked
 * in-process by the test client and the validator.
 */
module dev.bjoern.example {
    requires dev.bjoern.undertow;
    requires dev.bjoern.servlet;
    requires dev.bjoern.test;
}
