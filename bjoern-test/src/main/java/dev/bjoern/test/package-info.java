/**
 * Testing applications and servers of the contract: {@link dev.bjoern.test.TestClient} calls an application
 * in-process; {@link dev.bjoern.test.Validator} checks SPEC.md's rules on both sides of a call;
 * {@link dev.bjoern.test.BjoernExtension} serves an application on a real server for a JUnit 5 test;
 * {@link dev.bjoern.test.ConformanceKit} runs SPEC.md's clauses against any server of the contract.
 */
package dev.bjoern.test;
