/**
 * Everyday helpers over the contract, not part of it: what {@code wsgiref.util}, {@code urllib.parse},
 * {@code http.cookies} and werkzeug give a Python developer. {@link dev.bjoern.web.Request} reads a request
 * from environ (path, query, headers, cookies, body, form); {@link dev.bjoern.web.Status},
 * {@link dev.bjoern.web.SetCookie} and {@link dev.bjoern.web.Redirect} make what goes to start_response;
 * {@link dev.bjoern.web.Environs} rebuilds URLs and shifts path segments as {@code wsgiref.util} does;
 * {@link dev.bjoern.web.Middleware} composes applications, and {@link dev.bjoern.web.ProxyHeaders} trusts a
 * reverse proxy's {@code X-Forwarded-*} headers.
 *
 * <p>Text in environ carries the request's bytes as ISO-8859-1 chars (SPEC.md 2). Methods whose name or
 * Javadoc says "decoded" turn those bytes into text as UTF-8; every malformed UTF-8 sequence becomes
 * U+FFFD, as {@code new String(bytes, UTF_8)} does. The others return environ's text as it is.
 */
package dev.bjoern.web;
