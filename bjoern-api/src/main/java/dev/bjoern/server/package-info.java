/**
 * The servers' side of the contract: the rules every server of it applies, written once (SPEC.md section 4's
 * checks on start_response). For servers, not for applications.
 */
package dev.bjoern.server;
