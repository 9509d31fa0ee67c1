/**
 * The contract: PEP 3333 (WSGI) in Java. An application is a {@link dev.bjoern.WsgiApplication}, called with
 * the request's {@code environ} (keys in {@link dev.bjoern.Environ}) and a {@link dev.bjoern.StartResponse}
 * callback that returns a {@link dev.bjoern.Write}; files are sent as bodies through
 * {@link dev.bjoern.FileWrapper}.
 *
 * <p>SPEC.md states the contract in full and is the authority where these comments are short. The bjoern-api
 * jar carries it as {@code META-INF/SPEC.md}; the project has it at
 * <a href="https://github.com/bjoern-java/bjoern-java/blob/main/bjoern-api/SPEC.md">bjoern-api/SPEC.md</a>.
 * References such as "SPEC.md 6" name its sections.
 */
package dev.bjoern;
