/**
 * The contract between an application and a server: {@link dev.bjoern.WsgiApplication},
 * {@link dev.bjoern.StartResponse}, {@link dev.bjoern.Write} and the keys of environ; and, apart from it,
 * everyday helpers over environ in {@code dev.bjoern.web}. JDK only.
 */
module dev.bjoern {
    exports dev.bjoern;
    exports dev.bjoern.web;
}
