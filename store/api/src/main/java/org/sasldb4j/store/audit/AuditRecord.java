package org.sasldb4j.store.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One change to a store: when, who, with which tool, to which account, and what changed.
 *
 * <p>Security: a record has no field that could hold a password, a hash or any stored value:
 * {@code schemes} names kinds of secret ({@code plaintext}, {@code argon2id}...), {@code details}
 * carries counts and file names. Callers must put nothing else there.
 *
 * @param time when the change committed (UTC; written as ISO-8601 with {@code Z}, milliseconds)
 * @param actor who made it
 * @param tool the program, e.g. {@code saslpasswd}
 * @param version the program's version
 * @param store the store's path
 * @param change what changed
 * @param account {@code user@realm}, or null for a record about a whole store (a conversion)
 * @param schemes the kinds of secret written (for {@code created}, {@code password-set},
 *     {@code rehashed}); empty otherwise
 * @param details counts and names (values: {@code String}, {@code Long}, {@code Integer} or
 *     {@code Boolean}), in insertion order; never a secret
 */
public record AuditRecord(Instant time, Actor actor, String tool, String version, String store, Change change,
        String account, List<String> schemes, Map<String, Object> details) {

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(change, "change");
        time = time.truncatedTo(ChronoUnit.MILLIS);
        schemes = List.copyOf(schemes);
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The record as one JSON object on one line (no line break), keys in a fixed order. */
    public String toJson() {
        StringBuilder b = new StringBuilder(256).append('{');
        JsonText.field(b, "time", time.toString());
        JsonText.field(b, "tool", tool);
        JsonText.field(b, "version", version);
        JsonText.field(b, "pid", actor.pid());
        JsonText.field(b, "uid", (long) actor.uid());
        JsonText.field(b, "user", actor.name());
        if (actor.sudoUser() != null) {
            JsonText.field(b, "sudo_user", actor.sudoUser());
        }
        if (actor.sudoUid() >= 0) {
            JsonText.field(b, "sudo_uid", actor.sudoUid());
        }
        JsonText.field(b, "store", store);
        JsonText.field(b, "change", change.word());
        if (account != null) {
            JsonText.field(b, "account", account);
        }
        if (!schemes.isEmpty()) {
            b.append(",\"schemes\":[");
            for (int i = 0; i < schemes.size(); i++) {
                JsonText.string(b.append(i == 0 ? "" : ","), schemes.get(i));
            }
            b.append(']');
        }
        if (!details.isEmpty()) {
            b.append(",\"details\":{");
            int n = b.length();
            details.forEach((k, v) -> JsonText.field(b, k, v));
            b.deleteCharAt(n); // the comma field() put before the first detail
            b.append('}');
        }
        return b.append('}').toString();
    }

    /**
     * The record as syslog message text: {@code key=value} pairs, values quoted when they hold
     * anything but letters, digits and {@code ._@/:,+-}, control characters escaped, so one record
     * is one line whatever an account name holds.
     */
    public String toSyslogText() {
        StringBuilder b = new StringBuilder(256);
        SyslogText.pair(b, "change", change.word());
        if (account != null) {
            SyslogText.pair(b, "account", account);
        }
        if (!schemes.isEmpty()) {
            SyslogText.pair(b, "schemes", String.join(",", schemes));
        }
        SyslogText.pair(b, "store", store);
        details.forEach((k, v) -> SyslogText.pair(b, k, String.valueOf(v)));
        SyslogText.pair(b, "uid", Integer.toString(actor.uid()));
        SyslogText.pair(b, "user", actor.name());
        if (actor.sudoUser() != null) {
            SyslogText.pair(b, "sudo_user", actor.sudoUser());
        }
        if (actor.sudoUid() >= 0) {
            SyslogText.pair(b, "sudo_uid", Long.toString(actor.sudoUid()));
        }
        SyslogText.pair(b, "version", version);
        SyslogText.pair(b, "time", time.toString());
        return b.toString();
    }

    @Override
    public String toString() {
        return toSyslogText();
    }
}
