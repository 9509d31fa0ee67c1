package dev.bjoern.undertow.cliapps;

import dev.bjoern.WsgiApplication;

/** A factory whose body uses another class: CliClasspathTest serves it without that class. */
public final class Needs {
    private Needs() {
    }

    static WsgiApplication app() {
        return new Hello();
    }
}
