package org.sasldb4j.auxprop.daemon;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A SASL mechanism as the Dovecot protocol advertises it: its name, its {@code MECH} flags and
 * who speaks first.
 *
 * <p>The flags copy Dovecot's, because Postfix filters mechanisms by them
 * ({@code smtpd_sasl_security_options}): wrong flags would hide a mechanism or expose one the
 * administrator excluded (e.g. {@code noplaintext} must hide PLAIN and LOGIN).
 *
 * @param name the upper-case mechanism name
 * @param flags the MECH flags, in Dovecot's order
 * @param start how the exchange starts
 */
record Mechanism(String name, List<String> flags, Start start) {

    /** How a mechanism's exchange starts. */
    enum Start {
        /** The client sends first (PLAIN, SCRAM): without an initial response, send an empty challenge. */
        CLIENT_FIRST,
        /** The server sends first (CRAM-MD5): an initial response is ignored, as Dovecot does. */
        SERVER_FIRST,
        /**
         * The server sends first but an initial response is allowed and answers the first
         * challenge (LOGIN: {@code AUTH LOGIN <base64 user>} skips "Username:").
         */
        SERVER_FIRST_OR_INITIAL
    }

    /** Every mechanism the daemon knows, by name, in the default advertising order. */
    static final Map<String, Mechanism> KNOWN;

    /** The default mechanism list. */
    static final List<String> DEFAULT_NAMES =
            List.of("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256");

    static {
        Map<String, Mechanism> m = new LinkedHashMap<>();
        add(m, new Mechanism("PLAIN", List.of("plaintext"), Start.CLIENT_FIRST));
        add(m, new Mechanism("LOGIN", List.of("plaintext"), Start.SERVER_FIRST_OR_INITIAL));
        add(m, new Mechanism("CRAM-MD5", List.of("dictionary", "active"), Start.SERVER_FIRST));
        add(m, new Mechanism("DIGEST-MD5", List.of("dictionary", "active", "mutual-auth"), Start.SERVER_FIRST));
        add(m, new Mechanism("SCRAM-SHA-1", List.of("mutual-auth"), Start.CLIENT_FIRST));
        add(m, new Mechanism("SCRAM-SHA-256", List.of("mutual-auth"), Start.CLIENT_FIRST));
        KNOWN = Collections.unmodifiableMap(m);
    }

    Mechanism {
        flags = List.copyOf(flags);
    }

    private static void add(Map<String, Mechanism> m, Mechanism mech) {
        m.put(mech.name(), mech);
    }

    /** True for mechanisms that carry the password itself (PLAIN, LOGIN). */
    boolean plaintext() {
        return flags.contains("plaintext");
    }

    /** The {@code MECH} line without its newline: {@code MECH\tNAME\tflag...}. */
    String mechLine() {
        StringBuilder b = new StringBuilder("MECH\t").append(name);
        for (String f : flags) {
            b.append('\t').append(f);
        }
        return b.toString();
    }

    /**
     * Resolves a configured list such as {@code PLAIN LOGIN cram-md5}, keeping its order.
     *
     * @throws IllegalArgumentException naming an unknown mechanism or an empty list
     */
    static List<Mechanism> parseList(List<String> names) {
        List<Mechanism> out = new ArrayList<>();
        for (String raw : names) {
            for (String n : raw.split("[\\s,]+")) {
                if (n.isEmpty()) {
                    continue;
                }
                Mechanism m = KNOWN.get(n.toUpperCase(Locale.ROOT));
                if (m == null) {
                    throw new IllegalArgumentException("unknown mechanism '" + n + "'; known: "
                            + String.join(" ", KNOWN.keySet()));
                }
                if (!out.contains(m)) {
                    out.add(m);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the mechanism list is empty");
        }
        return List.copyOf(out);
    }
}
