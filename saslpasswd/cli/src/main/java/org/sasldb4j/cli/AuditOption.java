package org.sasldb4j.cli;

import java.nio.file.Path;
import org.sasldb4j.store.audit.AuditSettings;
import org.sasldb4j.store.audit.AuditTrail;
import picocli.CommandLine.Option;

/**
 * {@code --audit-log FILE}: where a tool appends its audit records as JSON lines, besides syslog;
 * and the opening of the run's {@link AuditTrail} from it and the environment
 * ({@code SASLDB4J_AUDIT_LOG}, {@code SASLDB4J_SYSLOG_SOCKET}, {@code SASLDB4J_CHANGE_TIMES}).
 */
public final class AuditOption {
    @Option(names = "--audit-log", paramLabel = "FILE",
            description = "Also append a JSON line per change to FILE (created mode 0640, never through a symbolic"
                    + " link); default $SASLDB4J_AUDIT_LOG. Changes always go to syslog (authpriv) when /dev/log"
                    + " exists.")
    String file;

    /**
     * Opens the run's audit trail; failures to record later are warnings on stderr.
     *
     * @throws org.sasldb4j.store.StoreException if the audit log is unsafe or cannot be opened:
     *     the run then changes nothing
     */
    public AuditTrail open(CliEnvironment env, Diagnostics diag, String tool) {
        AuditSettings s = AuditSettings.fromEnvironment(env::getenv, tool, CyrusTexts.sasldb4jVersion(),
                file == null ? null : Path.of(file));
        return AuditTrail.open(s, env::getenv, diag::warn);
    }
}
