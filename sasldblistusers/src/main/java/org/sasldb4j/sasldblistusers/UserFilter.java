package org.sasldb4j.sasldblistusers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sasldb4j.store.Entry;

/**
 * {@code --realm R} and {@code --user U}: which records a listing shows. Matching is byte-exact
 * and case-sensitive, as SASL lookups are. {@code --user alice} matches alice in every realm,
 * {@code --user alice@example.org} only in that realm (split at the first {@code @}).
 */
final class UserFilter {
    private final byte[] realm;
    private final List<byte[][]> users = new ArrayList<>();

    UserFilter(String realm, List<String> users) {
        this.realm = realm == null ? null : realm.getBytes(StandardCharsets.UTF_8);
        for (String u : users) {
            int at = u.indexOf('@');
            byte[] authid = (at < 0 ? u : u.substring(0, at)).getBytes(StandardCharsets.UTF_8);
            byte[] r = at < 0 ? null : u.substring(at + 1).getBytes(StandardCharsets.UTF_8);
            this.users.add(new byte[][] {authid, r});
        }
    }

    boolean isEmpty() {
        return realm == null && users.isEmpty();
    }

    /** True if the record with these components is listed. */
    boolean accepts(byte[] authid, byte[] recordRealm) {
        if (realm != null && !Arrays.equals(realm, recordRealm)) {
            return false;
        }
        if (users.isEmpty()) {
            return true;
        }
        for (byte[][] u : users) {
            if (Arrays.equals(u[0], authid) && (u[1] == null || Arrays.equals(u[1], recordRealm))) {
                return true;
            }
        }
        return false;
    }

    boolean accepts(Entry e) {
        return isEmpty() || accepts(e.authidBytes(), e.realmBytes());
    }
}
