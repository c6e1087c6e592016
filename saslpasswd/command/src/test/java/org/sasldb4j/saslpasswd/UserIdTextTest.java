package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;

/**
 * Names that lie (issue 9 §7): one rule for user ids given as text, on the command line and in a
 * batch's add/del lines: UTF-8 without control characters; other bytes only through add-hex.
 */
@Tag("attack")
class UserIdTextTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("db");
    }

    private Harness.Result batch(byte[] content) throws Exception {
        Path f = dir.resolve("batch.txt");
        Files.write(f, content);
        return new Harness(dir).run("-f", db().toString(), "--batch", f.toString());
    }

    private List<String> records() {
        List<String> out = new ArrayList<>();
        if (!Files.exists(db())) {
            return out;
        }
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            s.forEach(e -> out.add(new String(e.authidBytes(), ISO_8859_1) + "@" + new String(e.realmBytes(), ISO_8859_1)));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil\nalice@example.org: userPassword", "tab\tname@r", "bell\u0007@r", "u@realm\n",
        "del\u007f@r"})
    void controlCharactersOnTheCommandLineAreRefused(String id) {
        Harness.Result r = new Harness(dir).stdin("pw").run("-p", "-f", db().toString(), id);
        assertEquals(ExitCodes.INVALID_INPUT, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("control character"), r.err());
        assertFalse(Files.exists(db()), "nothing written");
    }

    @Test
    void invalidUtf8OnTheCommandLineIsRefusedNotStoredAsReplacementCharacters() {
        // What the JVM makes of the bytes "caf\xe9" in a UTF-8 locale.
        Harness.Result r = new Harness(dir).stdin("pw").run("-p", "-f", db().toString(), "caf\uFFFD@r");
        assertEquals(ExitCodes.INVALID_INPUT, r.rc(), r.err());
        assertTrue(r.err().contains("not valid UTF-8"), r.err());
        assertTrue(r.err().contains("add-hex"), r.err());
        assertFalse(Files.exists(db()));
    }

    @Test
    void theSameRuleHoldsInABatchAndNothingIsWritten() throws Exception {
        byte[] latin1 = "add ok@r pw\nadd caf\u00e9@r pw\n".getBytes(ISO_8859_1); // 0xe9 alone: not UTF-8
        Harness.Result r = batch(latin1);
        assertEquals(ExitCodes.INVALID_INPUT, r.rc(), r.err());
        assertTrue(r.err().contains(":2: the user id is not valid UTF-8"), r.err());
        assertEquals(List.of(), records());

        r = batch("add tab\tname@r pw\n".getBytes(ISO_8859_1));
        assertEquals(ExitCodes.INVALID_INPUT, r.rc(), r.err());
        assertTrue(r.err().contains(":1: the user id contains the control character 0x09"), r.err());
        assertEquals(List.of(), records());
    }

    @Test
    void utf8IdsAreStoredAndAddHexIsTheExplicitWayToOtherBytes() throws Exception {
        Harness.Result r = batch("add caf\u00e9@r pw\nadd-hex 6361669d40 7077\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(ExitCodes.OK, r.rc(), r.err());
        assertTrue(records().contains("caf\u00c3\u00a9@r"), records().toString());
        assertTrue(records().contains("caf\u009d@"), records().toString());
    }

    @Test
    void deleteMayNameAnIdWithAControlCharacterMadeElsewhere() throws Exception {
        assertEquals(ExitCodes.OK, batch("add-hex 6109624072 7077\n".getBytes(ISO_8859_1)).rc()); // "a\tb@r"
        Harness.Result r = new Harness(dir).run("-d", "-f", db().toString(), "a\tb@r");
        assertEquals(ExitCodes.OK, r.rc(), r.err());
        assertEquals(List.of(), records());
    }
}
