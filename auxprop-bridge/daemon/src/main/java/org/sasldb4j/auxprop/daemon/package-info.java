/**
 * {@code sasldb-authd}: a daemon that lets Postfix (and other SMTP/IMAP servers) authenticate
 * against a sasldb4j store over UNIX sockets, speaking two wire protocols:
 *
 * <ul>
 *   <li>the Dovecot auth-client protocol ({@code smtpd_sasl_type = dovecot}), served by
 *       {@link org.sasldb4j.auxprop.daemon.DovecotConnection} with SASL mechanisms reached only
 *       through {@link javax.security.sasl.SaslServer};</li>
 *   <li>the saslauthd protocol ({@code pwcheck_method: saslauthd}), served by
 *       {@link org.sasldb4j.auxprop.daemon.SaslauthdConnection} with plaintext checks reached
 *       only through a {@link org.sasldb4j.auxprop.daemon.PasswordCheck}.</li>
 * </ul>
 *
 * <p>The entry point is {@link org.sasldb4j.auxprop.daemon.AuthdCommand}. Everything else is
 * package-private plumbing: the listeners, the per-connection handlers, the watchdog that closes
 * stalled peers, the memory budget for password hashing and the optional verification cache.
 *
 * <p><b>Security:</b> nothing in this package logs, prints or keeps a password; passwords are
 * held in arrays that are wiped after use.
 */
package org.sasldb4j.auxprop.daemon;
