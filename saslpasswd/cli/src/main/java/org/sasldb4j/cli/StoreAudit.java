package org.sasldb4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.sasldb4j.store.StoreAddress;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.audit.AuditRecord;
import org.sasldb4j.store.audit.AuditTrail;
import org.sasldb4j.store.audit.Change;

/**
 * Audit records that name the store as the user named it: a file by its absolute path (as
 * {@link AuditTrail#of} records it), a database server by its address without the password
 * ({@link StoreAddress#redacted}), never made a path ({@code Path.of} would fold its {@code //}).
 *
 * <p><b>Security:</b> no password reaches the record: a server address is redacted first.
 */
public final class StoreAudit {
    private StoreAudit() {}

    /** {@link AuditTrail#of} for a store named {@code store} (file path or server address). */
    public static AuditRecord of(AuditTrail audit, String store, Change change, UserId account, List<String> schemes,
            Map<String, Object> details) {
        if (!StoreAddress.isServer(store)) {
            return audit.of(Path.of(store), change, account, schemes, details);
        }
        String name = StoreAddress.redacted(store);
        // AuditTrail makes the actor and time; its store field (a folded path) is replaced.
        AuditRecord r = audit.of(Path.of(name), change, account, schemes, details);
        return new AuditRecord(r.time(), r.actor(), r.tool(), r.version(), name, r.change(),
                r.account(), r.schemes(), r.details());
    }

    /** {@link AuditTrail#record(Path, Change, UserId, List)} for a store named {@code store}. */
    public static void record(AuditTrail audit, String store, Change change, UserId account, List<String> schemes) {
        audit.record(of(audit, store, change, account, schemes, Map.of()));
    }
}
