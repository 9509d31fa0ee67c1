/**
 * The server: a {@link dev.bjoern.WsgiApplication} served by Undertow core on one IO thread, with the
 * application running on that thread. {@link dev.bjoern.undertow.Bjoern} has bjoern's module functions
 * ({@code run}, {@code listen}, {@code serverRun}); {@link dev.bjoern.undertow.BjoernServer} is the embeddable,
 * closeable server for tests and services; {@link dev.bjoern.undertow.WsgiHandler} mounts an application in
 * an Undertow handler chain; {@link dev.bjoern.undertow.Statsd} configures bjoern's statsd counters;
 * {@link dev.bjoern.undertow.Main} is the command line.
 */
package dev.bjoern.undertow;
