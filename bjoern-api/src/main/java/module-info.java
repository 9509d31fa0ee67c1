/**
 * The contract between an application and a server: {@link dev.bjoern.WsgiApplication},
 * {@link dev.bjoern.StartResponse}, {@link dev.bjoern.Write} and the keys of environ. JDK only.
 */
module dev.bjoern {
    exports dev.bjoern;
}
