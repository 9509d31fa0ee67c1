/**
 * The contract between an application and a server: {@link dev.bjoern.WsgiApplication},
 * {@link dev.bjoern.StartResponse}, {@link dev.bjoern.Write} and the keys of environ; and, apart from it,
 * everyday helpers over environ in {@code dev.bjoern.web}, and the rules every server of the contract applies in
 * {@code dev.bjoern.server} (for servers, not applications). JDK only.
 */
module dev.bjoern {
    exports dev.bjoern;
    exports dev.bjoern.web;
    exports dev.bjoern.server;
}
