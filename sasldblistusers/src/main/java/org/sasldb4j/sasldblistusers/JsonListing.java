package org.sasldb4j.sasldblistusers;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import org.sasldb4j.store.Entry;

/**
 * {@code --json}: one array of users, each {@code {"authid": ..., "realm": ..., "properties":
 * [...]}}, in key order; never a value. A component that is not valid UTF-8 is shown with
 * U+FFFD replacements and given exactly in an extra {@code authidHex} / {@code realmHex} field.
 *
 * <p>Records of one user are adjacent in key order ({@code authid \0 realm \0} is a prefix), so
 * users are grouped while streaming, without holding the listing in memory.
 */
final class JsonListing implements Listing {
    private final Writer out;
    private byte[] authid;
    private byte[] realm;
    private boolean firstUser = true;
    private boolean firstProperty;

    /** @param out a buffered UTF-8 writer */
    JsonListing(Writer out) {
        this.out = out;
    }

    @Override
    public void add(Entry e) {
        try {
            byte[] a = e.authidBytes();
            byte[] r = e.realmBytes();
            if (authid == null || !Arrays.equals(a, authid) || !Arrays.equals(r, realm)) {
                endUser();
                startUser(a, r);
            }
            out.write(firstProperty ? "" : ", ");
            firstProperty = false;
            Json.string(out, e.property());
        } catch (IOException x) {
            throw Listing.unchecked(x);
        }
    }

    private void startUser(byte[] a, byte[] r) throws IOException {
        authid = a;
        realm = r;
        out.write(firstUser ? "[\n  {" : ",\n  {");
        firstUser = false;
        field("authid", a);
        out.write(", ");
        field("realm", r);
        out.write(", \"properties\": [");
        firstProperty = true;
    }

    private void field(String name, byte[] value) throws IOException {
        String s = Json.utf8OrNull(value);
        out.write('"' + name + "\": ");
        if (s != null) {
            Json.string(out, s);
        } else {
            Json.string(out, new String(value, java.nio.charset.StandardCharsets.UTF_8));
            out.write(", \"" + name + "Hex\": \"" + Json.hex(value) + '"');
        }
    }

    private void endUser() throws IOException {
        if (authid != null) {
            out.write("]}");
        }
    }

    @Override
    public void close() {
        try {
            endUser();
            out.write(firstUser ? "[]\n" : "\n]\n");
            out.flush();
        } catch (IOException x) {
            throw Listing.unchecked(x);
        }
    }
}
