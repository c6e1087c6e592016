/**
 * The audit trail of changes to a store: who changed which account, how, when, with which tool.
 *
 * <p>{@link org.sasldb4j.store.audit.AuditRecord} is one change (never a secret: it has no field
 * that could hold one); {@link org.sasldb4j.store.audit.AuditTrail} sends records to the local
 * syslog socket ({@code /dev/log}, facility authpriv) and, when configured, appends them to a
 * JSON-lines file. Every tool that changes a store, and any embedding server that re-hashes
 * passwords, writes through this one package, so the records look the same whoever made them.
 * Operator's view: docs/guide.md, "Audit trail".
 */
package org.sasldb4j.store.audit;
