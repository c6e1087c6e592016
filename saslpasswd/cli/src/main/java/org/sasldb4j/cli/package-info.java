/**
 * Command-line plumbing shared by every sasldb4j tool: where the store is ({@link StorePaths}),
 * the default realm ({@link DefaultRealm}), password input ({@link PasswordInput}), Cyrus-style
 * option scanning ({@link Getopt}), texts ({@link CyrusTexts}), exit codes ({@link ExitCodes}),
 * one-line error reporting ({@link Diagnostics}), and the injectable process environment
 * ({@link CliEnvironment}) that lets tests run the tools in-process.
 */
package org.sasldb4j.cli;
