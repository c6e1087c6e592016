package org.sasldb4j.sasldblistusers;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StrictUtf8;
import org.sasldb4j.store.audit.ChangeTimes;
import org.sasldb4j.store.secret.SecretProperties;

/**
 * {@code --json}: one array of users, each {@code {"authid": ..., "realm": ..., "properties":
 * [...], "schemes": [...], "disabled": false}}, in key order; never a value. {@code schemes}
 * names the kinds of secret the user has ({@code plaintext}, {@code argon2id}, {@code
 * scram-sha-1}, {@code scram-sha-256}, {@code cram-md5}, or a legacy Cyrus property name) and
 * {@code disabled} whether the account is locked with {@code saslpasswd --disable}; {@code
 * "changed": "2026-12-03T23:29:30Z"} (UTC) follows when the store keeps the account's last change
 * time ({@code sasldb4j.changed}, written when {@code SASLDB4J_CHANGE_TIMES=1}). A component
 * that is not valid UTF-8 is shown with U+FFFD replacements and given exactly in an extra
 * {@code authidHex} / {@code realmHex} field.
 *
 * <p>Records of one user are adjacent in key order ({@code authid \0 realm \0} is a prefix), so
 * users are grouped while streaming; only one user's records are held at a time.
 */
final class JsonListing implements Listing {
    private final Writer out;
    private final List<Entry> user = new ArrayList<>();
    private boolean firstUser = true;

    /** @param out a buffered UTF-8 writer */
    JsonListing(Writer out) {
        this.out = out;
    }

    @Override
    public void add(Entry e) {
        try {
            if (!user.isEmpty() && !sameUser(user.get(0), e)) {
                writeUser();
            }
            user.add(e);
        } catch (IOException x) {
            throw Listing.unchecked(x);
        }
    }

    private static boolean sameUser(Entry a, Entry b) {
        return Arrays.equals(a.authidBytes(), b.authidBytes()) && Arrays.equals(a.realmBytes(), b.realmBytes());
    }

    private void writeUser() throws IOException {
        Entry first = user.get(0);
        out.write(firstUser ? "[\n  {" : ",\n  {");
        firstUser = false;
        field("authid", first.authidBytes());
        out.write(", ");
        field("realm", first.realmBytes());
        out.write(", \"properties\": [");
        for (int i = 0; i < user.size(); i++) {
            out.write(i == 0 ? "" : ", ");
            Json.string(out, user.get(i).property());
        }
        SecretProperties.Summary summary = SecretProperties.summarize(user);
        out.write("], \"schemes\": [");
        for (int i = 0; i < summary.schemes().size(); i++) {
            out.write(i == 0 ? "" : ", ");
            Json.string(out, summary.schemes().get(i));
        }
        out.write("], \"disabled\": " + summary.disabled());
        Instant changed = changed(user);
        if (changed != null) {
            out.write(", \"changed\": \"" + changed + '"');
        }
        out.write("}");
        user.forEach(Entry::wipe);
        user.clear();
    }

    /**
     * The account's last change ({@link ChangeTimes#PROPERTY}, stored when change times are on),
     * or null; the only value this listing reads, and not a secret.
     */
    private static Instant changed(List<Entry> records) {
        for (Entry e : records) {
            if (e.property().equals(ChangeTimes.PROPERTY)) {
                return ChangeTimes.parse(e.value()).orElse(null);
            }
        }
        return null;
    }

    private void field(String name, byte[] value) throws IOException {
        String s = StrictUtf8.decodeOrNull(value);
        out.write('"' + name + "\": ");
        if (s != null) {
            Json.string(out, s);
        } else {
            Json.string(out, new String(value, java.nio.charset.StandardCharsets.UTF_8));
            out.write(", \"" + name + "Hex\": \"" + HexFormat.of().formatHex(value) + '"');
        }
    }

    @Override
    public void close() {
        try {
            if (!user.isEmpty()) {
                writeUser();
            }
            out.write(firstUser ? "[]\n" : "\n]\n");
            out.flush();
        } catch (IOException x) {
            throw Listing.unchecked(x);
        }
    }
}
