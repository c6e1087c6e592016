package org.sasldb4j.auxprop;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.secret.SecretProperties;

/**
 * {@code plugins/sasldb.c:sasldb_auxprop_lookup} over one user's records (docs/reference/cyrus-sasldb.md
 * §11.1, §11.2), kept apart from I/O so the rules are testable on their own.
 */
final class Lookups {
    private Lookups() {}

    /**
     * @param records all records of the canonical user (one read transaction)
     * @param authzid true for an authzid lookup ({@code SASL_AUXPROP_AUTHZID}): names without
     *     {@code *}; false for an authid lookup: names with {@code *}, stripped for the key
     * @param requested property names as a mechanism requests them
     */
    static AuxpropLookup lookup(List<Entry> records, boolean authzid, List<String> requested) {
        Map<String, byte[]> byProperty = new HashMap<>();
        for (Entry e : records) {
            byProperty.put(e.property(), e.value());
        }
        LinkedHashMap<String, byte[]> found = new LinkedHashMap<>();
        boolean any = false;
        boolean asked = false;
        boolean askedUserPassword = false;
        try {
            for (String name : requested) {
                boolean star = name.startsWith("*");
                if (star == authzid) {
                    continue; // belongs to the other kind of lookup
                }
                String property = star ? name.substring(1) : name;
                if (property.isEmpty() || found.containsKey(name)) {
                    continue; // Cyrus skips a property that already has values (no OVERRIDE)
                }
                asked = true;
                askedUserPassword |= property.equals(SecretProperties.USER_PASSWORD);
                byte[] v = byProperty.get(property);
                if (v != null) {
                    found.put(name, v.clone());
                    any = true;
                }
            }
            AuxpropLookup.Status status;
            if (!asked || any || authzid) {
                status = AuxpropLookup.Status.OK; // nothing asked, something found, or NOUSER->OK for authzid
            } else if (!askedUserPassword && byProperty.containsKey(SecretProperties.USER_PASSWORD)) {
                // the plugin's probe: a user with a password exists even if it lacks what was asked
                status = AuxpropLookup.Status.OK;
            } else {
                status = AuxpropLookup.Status.NOUSER;
            }
            return new AuxpropLookup(status, found);
        } finally {
            for (byte[] v : byProperty.values()) {
                Arrays.fill(v, (byte) 0);
            }
        }
    }
}
