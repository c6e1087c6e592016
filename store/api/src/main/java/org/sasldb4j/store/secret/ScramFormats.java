package org.sasldb4j.store.secret;

import java.util.Locale;

/**
 * Parsers and printers for the two textual SCRAM storage forms (docs/reference/protocols.md §5).
 *
 * <ul>
 *   <li>RFC 5803 / Cyrus {@code authPassword}: {@code <MECH>$<iter>:<b64 salt>$<b64 StoredKey>:<b64 ServerKey>}.
 *       Parsed as Cyrus's {@code plugins/scram.c} does: spaces allowed before the mechanism and
 *       around each {@code $}, the salt ends at {@code $} or space. Stricter than Cyrus in two
 *       places, both of which Cyrus would turn into nonsense rather than accept usefully: the
 *       iteration count must be plain ASCII digits ({@code strtoul} would take a sign), and only
 *       spaces may follow ServerKey.
 *   <li>Dovecot {@code {SCRAM-SHA-1}} / {@code {SCRAM-SHA-256}}: {@code <iter>,<b64 salt>,<b64 StoredKey>,<b64 ServerKey>};
 *       the scheme name is case-insensitive as in Dovecot.
 * </ul>
 *
 * Every failure is a {@link MalformedSecretException} naming the field, never the text.
 */
final class ScramFormats {
    /** Stored values longer than this are not SCRAM values (Cyrus values are at most 8191 bytes). */
    static final int MAX_LENGTH = 8191;

    private ScramFormats() {}

    static ScramKeys parseAuthPassword(byte[] stored) {
        String s = text(stored, "authPassword");
        int[] pos = {skipSpaces(s, 0)};
        int mechEnd = pos[0];
        while (mechEnd < s.length() && s.charAt(mechEnd) != '$' && s.charAt(mechEnd) != ' ') {
            mechEnd++;
        }
        ScramVariant variant = ScramVariant.ofMechanism(s.substring(pos[0], mechEnd))
                .orElseThrow(() -> new MalformedSecretException("authPassword does not name a SCRAM mechanism"));
        pos[0] = expectDollar(s, mechEnd, "after the mechanism");
        int colon = s.indexOf(':', pos[0]);
        if (colon < 0 || colon == pos[0] || colon - pos[0] > 20) {
            throw new MalformedSecretException("authPassword has no iteration count before ':'");
        }
        int iterations = Bytes.decimal(s.substring(pos[0], colon), ScramKeys.MIN_ITERATIONS,
                ScramKeys.MAX_ITERATIONS, "authPassword iteration count");
        int saltStart = colon + 1;
        int saltEnd = saltStart;
        while (saltEnd < s.length() && s.charAt(saltEnd) != '$' && s.charAt(saltEnd) != ' ') {
            saltEnd++;
        }
        if (saltEnd == saltStart || saltEnd == s.length()) {
            throw new MalformedSecretException("authPassword has no salt followed by '$'");
        }
        byte[] salt = Bytes.base64(s.substring(saltStart, saltEnd), "authPassword salt");
        int keysStart = expectDollar(s, saltEnd, "after the salt");
        int keyColon = s.indexOf(':', keysStart);
        if (keyColon < 0 || keyColon == keysStart) {
            throw new MalformedSecretException("authPassword has no StoredKey before ':'");
        }
        int serverEnd = s.indexOf(' ', keyColon + 1);
        if (serverEnd < 0) {
            serverEnd = s.length();
        } else if (skipSpaces(s, serverEnd) != s.length()) {
            throw new MalformedSecretException("authPassword has text after ServerKey");
        }
        return keys(variant, salt, iterations,
                s.substring(keysStart, keyColon), s.substring(keyColon + 1, serverEnd), "authPassword");
    }

    static String formatAuthPassword(ScramKeys k) {
        return k.variant().mechanism() + "$" + k.iterations() + ":" + Bytes.base64(k.salt()) + "$"
                + b64AndWipe(k.storedKey()) + ":" + b64AndWipe(k.serverKey());
    }

    static ScramKeys parseDovecot(byte[] stored) {
        String s = text(stored, "Dovecot SCRAM value");
        if (!s.startsWith("{")) {
            throw new MalformedSecretException("Dovecot SCRAM value does not start with '{'");
        }
        int close = s.indexOf('}');
        if (close < 0) {
            throw new MalformedSecretException("Dovecot SCRAM value has no '}'");
        }
        ScramVariant variant = ScramVariant.ofMechanism(s.substring(1, close).toUpperCase(Locale.ROOT))
                .filter(v -> v == ScramVariant.SHA_1 || v == ScramVariant.SHA_256)
                .orElseThrow(() -> new MalformedSecretException("Dovecot scheme is not SCRAM-SHA-1 or SCRAM-SHA-256"));
        String[] f = s.substring(close + 1).split(",", -1);
        if (f.length != 4) {
            throw new MalformedSecretException("Dovecot SCRAM value does not have 4 comma-separated fields");
        }
        int iterations = Bytes.decimal(f[0], ScramKeys.MIN_ITERATIONS, ScramKeys.MAX_ITERATIONS,
                "Dovecot SCRAM iteration count");
        byte[] salt = Bytes.base64(f[1], "Dovecot SCRAM salt");
        return keys(variant, salt, iterations, f[2], f[3], "Dovecot SCRAM value");
    }

    static String formatDovecot(ScramKeys k) {
        return "{" + k.variant().mechanism() + "}" + k.iterations() + "," + Bytes.base64(k.salt()) + ","
                + b64AndWipe(k.storedKey()) + "," + b64AndWipe(k.serverKey());
    }

    private static ScramKeys keys(ScramVariant variant, byte[] salt, int iterations,
                                  String stored64, String server64, String what) {
        if (salt.length < ScramKeys.MIN_SALT || salt.length > ScramKeys.MAX_SALT) {
            throw new MalformedSecretException(what + " salt length is outside ["
                    + ScramKeys.MIN_SALT + ", " + ScramKeys.MAX_SALT + "]");
        }
        byte[] storedKey = Bytes.base64(stored64, what + " StoredKey");
        byte[] serverKey = null;
        try {
            serverKey = Bytes.base64(server64, what + " ServerKey");
            if (storedKey.length != variant.hashLength() || serverKey.length != variant.hashLength()) {
                throw new MalformedSecretException(what + " keys are not " + variant.hashLength()
                        + " bytes long as " + variant.mechanism() + " needs");
            }
            return ScramKeys.of(variant, salt, iterations, storedKey, serverKey);
        } finally {
            Wipe.bytes(storedKey, serverKey);
        }
    }

    private static String text(byte[] stored, String what) {
        if (stored.length > MAX_LENGTH) {
            throw new MalformedSecretException(what + " is longer than " + MAX_LENGTH + " bytes");
        }
        return Bytes.ascii(stored, what);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int expectDollar(String s, int i, String where) {
        i = skipSpaces(s, i);
        if (i >= s.length() || s.charAt(i) != '$') {
            throw new MalformedSecretException("authPassword lacks '$' " + where);
        }
        return skipSpaces(s, i + 1);
    }

    private static String b64AndWipe(byte[] key) {
        try {
            return Bytes.base64(key);
        } finally {
            Wipe.bytes(key);
        }
    }
}
