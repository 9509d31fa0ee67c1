/**
 * The servers' side of the contract, written once for every server of it: {@link dev.bjoern.server.ResponseRules}
 * (SPEC.md section 4's checks on start_response) and {@link dev.bjoern.server.ResponseCycle} (one response by
 * sections 4 to 8, without I/O: the write callable, the first chunk before the head, the framing, Content-Length
 * accounting, close() once). The engine, {@code WsgiServlet} and bjoern-test's {@code TestClient} drive them. For
 * servers, not for applications.
 */
package dev.bjoern.server;
