/**
 * Servlets and the contract, both ways. {@link dev.bjoern.servlet.ServletApplication} runs a Jakarta Servlet
 * (with its filters and listeners: plain servlets, Jersey, Spring MVC) as a {@link dev.bjoern.WsgiApplication}
 * that any server of the contract serves; {@link dev.bjoern.servlet.WsgiServlet} serves a
 * {@code WsgiApplication} inside a servlet container such as Tomcat or Jetty.
 */
package dev.bjoern.servlet;
