/**
 * Testing applications of the contract: {@link dev.bjoern.test.Validator} checks SPEC.md's rules on both sides
 * of a call; {@link dev.bjoern.test.BjoernExtension} serves an application on a real server for a JUnit 5 test.
 */
package dev.bjoern.test;
