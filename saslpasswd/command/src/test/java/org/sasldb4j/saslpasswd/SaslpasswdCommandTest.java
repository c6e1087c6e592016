package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.PasswordVerifier;
import org.sasldb4j.store.secret.SecretSet;

/**
 * The outcome table of saslpasswd2 (docs/reference/cyrus-sasldb.md §9.7), realm parsing (docs/reference/cyrus-sasldb.md §2.1) and the
 * deliberate fixes (docs/compatibility.md).
 */
class SaslpasswdCommandTest {
    @TempDir
    Path dir;

    Path db() {
        return dir.resolve("sasldb2");
    }

    Harness tool() {
        return new Harness(dir);
    }

    /** Pipe mode with {@code password} on stdin, store {@link #db()}. */
    Harness.Result set(String password, String... args) {
        List<String> a = new ArrayList<>(List.of("-p", "-f", db().toString()));
        a.addAll(List.of(args));
        return tool().stdin(password).run(a.toArray(String[]::new));
    }

    List<String> records() {
        List<String> out = new ArrayList<>();
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            s.forEach(e -> out.add(e.toString() + "=" + new String(e.value(), ISO_8859_1)));
        }
        return out;
    }

    static String usage() {
        return SaslpasswdCommand.usage("saslpasswd");
    }

    @Test
    void usageTextIsSaslpasswd2sByteForByte() {
        // saslpasswd2's text written out again on purpose: not read from the code under test.
        String expected = "\nThis product includes software developed by Computing Services\n"
                + "at Carnegie Mellon University (http://www.cmu.edu/computing/).\n\n"
                + "saslpasswd: usage: saslpasswd [-v] [-c [-p] [-n]] [-d] [-a appname] [-f sasldb] [-u DOM] userid\n"
                + "\t-p\tpipe mode -- no prompt, password read on stdin\n"
                + "\t-c\tcreate -- ask mechs to create the account\n"
                + "\t-d\tdisable -- ask mechs to disable/delete the account\n"
                + "\t-n\tno userPassword -- don't set plaintext userPassword property\n"
                + "\t  \t                   (only set mechanism-specific secrets)\n"
                + "\t-f sasldb\tuse given file as sasldb\n"
                + "\t-a appname\tuse appname as application name\n"
                + "\t-u DOM\tuse DOM for user domain\n"
                + "\t-v\tprint version numbers and exit\n";
        assertEquals(expected, usage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "-?", "", "a b", "-c -d u", "-d -c u", "-p -n"})
    void usageErrorsExit1WithTheUsageOnStderr(String args) {
        Harness.Result r = tool().run(args.isEmpty() ? new String[0] : args.split(" "));
        assertEquals(1, r.rc());
        assertEquals("", r.out());
        assertEquals(usage(), r.err());
        assertFalse(Files.exists(db()));
    }

    @Test
    void badOptionsGetGlibcMessagesThenUsage() {
        Harness.Result r = tool().run("-x", "alice");
        assertEquals(1, r.rc());
        assertEquals("saslpasswd: invalid option -- 'x'\n" + usage(), r.err());
        r = tool().run("alice", "-f");
        assertEquals(1, r.rc());
        assertEquals("saslpasswd: option requires an argument -- 'f'\n" + usage(), r.err());
    }

    @Test
    void versionExitsZeroAtOnceInCommandLineOrder() {
        Harness.Result r = tool().run("-v");
        assertEquals(0, r.rc());
        assertEquals("", r.out());
        assertEquals(CyrusTexts.version(), r.err());
        assertTrue(r.err().startsWith(CyrusTexts.BANNER + "Built against SASL API version 2.1.28\n"));
        assertEquals(CyrusTexts.version(), tool().run("-v", "-x").err());
        assertEquals("saslpasswd: invalid option -- 'x'\n" + CyrusTexts.version(), tool().run("-x", "-v").err());
        assertEquals(0, tool().run("-c", "-d", "-v").rc());
    }

    @Test
    void appnameWithSlash() {
        Harness.Result r = tool().run("-a", "my/app", "alice");
        assertEquals(1, r.rc());
        assertEquals("appname must not contain /\n", r.err());
        assertEquals(1, tool().run("-h", "-a", "my/app").rc());
        assertEquals("appname must not contain /\n", tool().run("-h", "-a", "my/app").err());
    }

    @Test
    void createUpdateAndDeleteSucceedSilentlyWithExplicitRealm() {
        Harness.Result r = set("secret\n", "-c", "alice@example.org");
        assertEquals(new Harness.Result(0, "", ""), r);
        assertEquals(List.of("alice@example.org: userPassword=secret"), records());
        assertEquals(0, set("other", "alice@example.org").rc()); // no -c: replaced
        assertEquals(0, set("third", "-c", "alice@example.org").rc()); // -c on an existing user: replaced
        assertEquals(List.of("alice@example.org: userPassword=third"), records());
        r = tool().run("-d", "-f", db().toString(), "alice@example.org");
        assertEquals(new Harness.Result(0, "", ""), r);
        assertEquals(List.of(), records());
    }

    @Test
    void optionsMayFollowTheUserId() {
        assertEquals(0, tool().stdin("pw").run("bob", "-u", "example.org", "-f", db().toString(), "-pc").rc());
        assertEquals(List.of("bob@example.org: userPassword=pw"), records());
    }

    @Test
    void atFileIsAUserIdNotAnArgumentFile() {
        assertEquals(0, set("pw", "@lead").rc());
        assertEquals(List.of("@lead: userPassword=pw"), records());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-c alice|alice@vm",
        "-u example.org bob|bob@example.org",
        "-u '' emptyrealm|emptyrealm@vm",
        "trail@|trail@",
        "a@b@c|a@b@c",
        "-u other.example user2@realm.example|user2@realm.example",
        "-u Ex.COM MixedCase|MixedCase@Ex.COM",
        "Jürgen.Ñoño|Jürgen.Ñoño@vm",
    })
    void realmParsingFollowsSaslpasswd2(String args, String listed) {
        List<String> a = new ArrayList<>();
        for (String s : args.split(" ")) {
            a.add(s.equals("''") ? "" : s);
        }
        Harness.Result r = set("pw", a.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of(listed + ": userPassword=pw"), records());
    }

    @Test
    void realmFromHostNameIsSaidOnStderr() {
        Harness.Result r = set("pw", "alice");
        assertEquals(0, r.rc());
        assertTrue(r.err().startsWith("saslpasswd: note: the realm is \"vm\", this host's name"), r.err());
        r = set("pw", "-u", "", "bob");
        assertTrue(r.err().contains("-u '' counts as no -u"), r.err());
        assertEquals("", set("pw", "-u", "x", "carol").err());
        assertEquals("", set("pw", "--default-realm", "", "dave").err());
        assertTrue(records().contains("dave@: userPassword=pw"), records().toString());
        Harness.Result env = tool().stdin("pw").env("SASLDB4J_DEFAULT_REALM", "r.example")
                .run("-p", "-f", db().toString(), "erin");
        assertEquals("", env.err());
        assertTrue(records().contains("erin@r.example: userPassword=pw"));
    }

    @Test
    void unreachableIdsAreStoredWithAWarning() {
        Harness.Result r = set("pw", " hal ");
        assertEquals(0, r.rc());
        assertTrue(r.err().contains("warning: \"\\x20hal\\x20@vm\": the user name begins or ends with white space"),
                r.err());
        assertTrue(records().contains(" hal @vm: userPassword=pw"));
        r = set("pw", "");
        assertEquals(0, r.rc());
        assertTrue(r.err().contains("the user name is empty"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n"})
    void emptyPipedPasswordIsInvalidParameter(String stdin) {
        Harness.Result r = set(stdin, "alice@x");
        assertEquals(7, r.rc());
        assertEquals("saslpasswd: invalid parameter supplied: the password is empty\n", r.err());
        assertFalse(Files.exists(db()));
    }

    @Test
    void pipeBytesAreStoredAsSaslpasswd2StoresThem() {
        assertEquals(0, set("two\n\n", "a@r").rc());
        assertEquals(0, set("crlf\r\n", "b@r").rc());
        assertEquals(0, set("a\nb\n", "c@r").rc());
        assertEquals(List.of("a@r: userPassword=two\n", "b@r: userPassword=crlf\r", "c@r: userPassword=a\nb"), records());
    }

    @Test
    void nulAndOverlongPasswordsAreRefusedNotTruncated() {
        Harness.Result r = set("x\0y", "a@r");
        assertEquals(7, r.rc());
        assertTrue(r.err().contains("NUL byte"), r.err());
        assertFalse(r.err().contains("x\0y"));
        r = set("A".repeat(3000), "a@r");
        assertEquals(7, r.rc());
        assertTrue(r.err().contains("longer than 2048 bytes"), r.err());
        assertFalse(Files.exists(db()));
        assertEquals(0, set("A".repeat(2048), "a@r").rc());
    }

    @Test
    void stdinNotATerminalMeansPipeModeWithoutMinusP() {
        assertEquals(0, tool().stdin("piped").run("-f", db().toString(), "u@r").rc());
        assertEquals(List.of("u@r: userPassword=piped"), records());
    }

    @Test
    void terminalPromptsTwiceOnStdoutAndCompares() {
        Harness.FakeConsole c = new Harness.FakeConsole("s3cret", "s3cret");
        Harness.Result r = tool().console(c).run("-f", db().toString(), "t@r");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("Password: ", "Again (for verification): "), c.prompts);
        assertEquals(List.of("t@r: userPassword=s3cret"), records());
    }

    @Test
    void terminalMismatchExits7() {
        Harness.FakeConsole c = new Harness.FakeConsole("one", "two");
        Harness.Result r = tool().console(c).run("-f", db().toString(), "t@r");
        assertEquals(7, r.rc());
        assertEquals("saslpasswd: passwords don't match; aborting\n", r.err());
        assertFalse(Files.exists(db()));
    }

    @Test
    void terminalCtrlDPrintsANewlineAndIsAnEmptyPassword() {
        Harness.FakeConsole c = new Harness.FakeConsole();
        Harness.Result r = tool().console(c).run("-f", db().toString(), "t@r");
        assertEquals(7, r.rc());
        assertEquals("Password: \nAgain (for verification): \n", c.screen.toString());
    }

    @Test
    void minusPOnATerminalReadsStdinWithoutPrompt() {
        Harness.FakeConsole c = new Harness.FakeConsole("never");
        Harness.Result r = tool().console(c).stdin("typed\n").run("-p", "-f", db().toString(), "t@r");
        assertEquals(0, r.rc());
        assertTrue(c.prompts.isEmpty());
        assertEquals(List.of("t@r: userPassword=typed"), records());
    }

    @Test
    void deletingAMissingUserExits0ButSaysSoAndCreatesNothing() {
        Harness.Result r = tool().run("-d", "-f", db().toString(), "ghost@r");
        assertEquals(0, r.rc());
        assertEquals("saslpasswd: user not found: ghost@r (nothing deleted): there is no store at " + db()
                + "; check -f\n", r.err());
        assertFalse(Files.exists(db()));
        set("pw", "alice@r");
        r = tool().run("-d", "-f", db().toString(), "ghost@r");
        assertEquals(0, r.rc());
        assertTrue(r.err().contains("user not found"));
    }

    @Test
    void deleteRemovesEveryRecordOfTheUser() {
        set("pw", "alice@r");
        set("pw", "alice@other");
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> {
                w.put(UserId.of("alice", "r"), "authPassword", "SCRAM-SHA-1$4096:x".getBytes(UTF_8));
                w.put(UserId.of("alice", "r"), "cmusaslsecretOTP", "otp".getBytes(UTF_8));
            });
        }
        assertEquals(0, tool().run("-d", "-f", db().toString(), "alice@r").rc());
        assertEquals(List.of("alice@other: userPassword=pw"), records());
    }

    @Test
    void settingAPasswordReplacesEveryOtherPasswordSecretInTheSameChange() {
        UserId u = UserId.of("alice", "r");
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> {
                for (String p : List.of("cmusaslsecretCRAM-MD5", "cmusaslsecretDIGEST-MD5", "cmusaslsecretPLAIN")) {
                    w.put(u, p, new byte[] {1, 2, 3});
                }
                w.put(u, "authPassword", "stale".getBytes(UTF_8));
                w.put(u, "sasldb4j.argon2id", "stale".getBytes(UTF_8));
                w.put(u, "cmusaslsecretOTP", "otp from the old password".getBytes(UTF_8));
                w.put(u, "cmusaslsecretSRP", "srp from the old password".getBytes(UTF_8));
                w.put(u, "sasldb4j.disabled", "disabled 2026-01-01T00:00:00Z".getBytes(UTF_8));
                w.put(u, "mailQuota", "kept".getBytes(UTF_8));
            });
        }
        assertEquals(0, set("new", "alice@r").rc());
        assertEquals(List.of("alice@r: mailQuota=kept", "alice@r: sasldb4j.disabled=disabled 2026-01-01T00:00:00Z",
                "alice@r: userPassword=new"), records());
    }

    @Test
    void noPlainStoresHashedSecretsThatVerify() {
        Harness.Result r = tool().stdinBytes("pencil ß".getBytes(UTF_8)).run("-p", "-n", "-f", db().toString(), "alice@r");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("alice@r: authPassword", "alice@r: sasldb4j.argon2id", "alice@r: sasldb4j.scram-sha-256"),
                propertyNames());
        List<Entry> mine = userRecords(UserId.of("alice", "r"));
        assertTrue(new String(mine.get(0).value(), UTF_8).startsWith("SCRAM-SHA-1$4096:"));
        assertTrue(new String(mine.get(1).value(), UTF_8).startsWith("{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$"));
        assertTrue(new String(mine.get(2).value(), UTF_8).startsWith("{SCRAM-SHA-256}4096,"));
        PasswordVerifier v = new PasswordVerifier(SecretSet.HASHED);
        assertEquals(PasswordVerifier.Outcome.MATCH, v.verify(mine, "pencil ß".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, v.verify(mine, "pencil".toCharArray()));
    }

    @Test
    void noPlainDeletesAnOldPlaintextWhichCyrusKeepsSoTheOldPasswordStopsWorking() {
        set("old", "alice@r");
        Harness.Result r = set("pw", "-c", "-n", "alice@r");
        assertEquals(0, r.rc());
        assertEquals("", r.err());
        assertEquals(List.of("alice@r: authPassword", "alice@r: sasldb4j.argon2id", "alice@r: sasldb4j.scram-sha-256"),
                propertyNames());
        set("old", "alice@r");
        r = set("pw", "-n", "--remove-plaintext", "alice@r");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("alice@r: authPassword", "alice@r: sasldb4j.argon2id", "alice@r: sasldb4j.scram-sha-256"),
                propertyNames(), "--remove-plaintext is accepted and changes nothing");
    }

    @Test
    void schemesChooseExactlyWhatIsStored() {
        assertEquals(0, set("pw", "--schemes", "plaintext,scram-sha-256", "alice@r").rc());
        assertEquals(List.of("alice@r: sasldb4j.scram-sha-256", "alice@r: userPassword"), propertyNames());
        Harness.Result r = set("pw", "--schemes", "argon2id,bogus", "alice@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("unknown secret scheme 'bogus'"), r.err());
        r = set("pw", "-n", "--schemes", "plaintext", "alice@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("nothing to store"), r.err());
        r = set("pw", "--remove-plaintext", "alice@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--remove-plaintext goes with -n"), r.err());
    }

    @Test
    void hashedSecretsNeedAUtf8Password() {
        Harness.Result r = tool().stdinBytes(new byte[] {(byte) 112, (byte) 0xff}).run("-p", "-n", "-f", db().toString(), "a@r");
        assertEquals(7, r.rc());
        assertTrue(r.err().contains("not valid UTF-8"), r.err());
        assertEquals(0, set("pw", "a@r").rc(), "plaintext takes any bytes");
    }

    @Test
    void disableAndEnableLockAnAccountKeepingItsSecrets() {
        set("pw", "alice@r");
        Harness.Result r = tool().run("--disable", "-f", db().toString(), "alice@r");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("alice@r: sasldb4j.disabled", "alice@r: userPassword"), propertyNames());
        assertTrue(tool().run("--disable", "-f", db().toString(), "alice@r").err().contains("already disabled"));
        assertEquals(0, tool().run("--enable", "-f", db().toString(), "alice@r").rc());
        assertEquals(List.of("alice@r: userPassword"), propertyNames());
        r = tool().run("--disable", "-f", db().toString(), "nobody@r");
        assertEquals(20, r.rc());
        assertTrue(r.err().contains("user not found: nobody@r"), r.err());
        r = tool().run("--disable", "-d", "-f", db().toString(), "alice@r");
        assertEquals(1, r.rc());
    }

    List<String> propertyNames() {
        List<String> out = new ArrayList<>();
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            s.forEach(e -> out.add(e.toString()));
        }
        return out;
    }

    List<Entry> userRecords(UserId u) {
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            return s.user(u);
        }
    }

    @Test
    void zeroByteFileBecomesAStore() throws Exception {
        Files.createFile(db());
        assertEquals(new Harness.Result(0, "", ""), set("pw", "a@r"));
        assertEquals(StoreFormat.LMDB, StoreFormat.detect(db()));
    }

    @Test
    void foreignOrDamagedFilesAreRefusedBeforeThePrompt() throws Exception {
        Files.writeString(db(), "this is a text file, not a sasldb\n");
        Harness.FakeConsole c = new Harness.FakeConsole("a", "a");
        Harness.Result r = tool().console(c).run("-f", db().toString(), "a@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("saslpasswd: " + db() + " is not a sasldb store"), r.err());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace");
        assertTrue(c.prompts.isEmpty());
        assertEquals("this is a text file, not a sasldb\n", Files.readString(db()));
        byte[] bdb = new byte[4096];
        bdb[12] = 0x61;
        bdb[13] = 0x15;
        bdb[14] = 0x06;
        Files.write(db(), bdb);
        r = set("pw", "a@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("Berkeley DB") && r.err().contains("sasldbconvert"), r.err());
    }

    @Test
    void directoryAsStoreFails() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        Harness.Result r = tool().stdin("pw").run("-f", d.toString(), "a@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("directory"), r.err());
    }

    @Test
    void missingDirectoryFailsWithOneLine() {
        Harness.Result r = tool().stdin("pw").run("-f", dir.resolve("no/such/db").toString(), "a@r");
        assertEquals(1, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void debugEnvironmentShowsTheStackTrace() throws Exception {
        Files.writeString(db(), "text");
        Harness.Result r = tool().stdin("pw").env("SASLDB4J_DEBUG", "1").run("-f", db().toString(), "a@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("\tat org.sasldb4j"), r.err());
    }

    @Test
    void saslDbnameChoosesTheStoreUnlessMinusF() {
        Path other = dir.resolve("other");
        assertEquals(0, tool().stdin("pw").env("SASL_DBNAME", db().toString()).run("a@r").rc());
        assertEquals(List.of("a@r: userPassword=pw"), records());
        assertEquals(0, tool().stdin("pw").env("SASL_DBNAME", db().toString()).run("-f", other.toString(), "b@r").rc());
        assertTrue(Files.exists(other));
        assertEquals(1, records().size());
    }

    @Test
    void configFileOfTheAppnameNamesTheStore() throws Exception {
        Files.writeString(dir.resolve("myapp.conf"), "sasldb_path: " + db() + "\n");
        assertEquals(0, tool().stdin("pw").env("SASL_DBNAME", "/nonexistent/x").run("-a", "myapp", "a@r").rc());
        assertEquals(List.of("a@r: userPassword=pw"), records());
    }

    @Test
    void passwordFileAndFd() throws Exception {
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, "filepw\n");
        assertEquals(0, tool().run("-f", db().toString(), "--password-file", pw.toString(), "a@r").rc());
        Path fds = Files.createDirectory(dir.resolve("fd"));
        Files.writeString(fds.resolve("3"), "fdpw");
        assertEquals(0, tool().fdDirectory(fds).run("-f", db().toString(), "--password-fd", "3", "b@r").rc());
        assertEquals(List.of("a@r: userPassword=filepw", "b@r: userPassword=fdpw"), records());
        Harness.Result r = tool().run("-f", db().toString(), "--password-file", pw.toString(), "--password-fd", "3", "c@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("not both"), r.err());
        r = tool().run("-d", "-f", db().toString(), "--password-file", pw.toString(), "a@r");
        assertEquals(1, r.rc());
        r = tool().run("-f", db().toString(), "--password-file", dir.resolve("missing").toString(), "c@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("saslpasswd: cannot read the password"), r.err());
    }

    @Test
    void passwordNeverAppearsInOutput() {
        Harness.Result r = set("TopSecret99", "alice@r");
        assertFalse(r.err().contains("TopSecret99") || r.out().contains("TopSecret99"));
    }

    @Test
    void longHelpListsTheExtensionsAndExitCodes() {
        Harness.Result r = tool().run("--help");
        assertEquals(0, r.rc());
        for (String s : List.of("--batch", "--password-file", "--password-fd", "--backend", "--default-realm",
                "Exit status", "7")) {
            assertTrue(r.out().contains(s), s);
        }
        assertEquals(1, tool().run("--nope", "a").rc());
        assertTrue(tool().run("--nope", "a").err().startsWith("saslpasswd: unrecognized option '--nope'\n"));
    }

    @Test
    void unknownBackendIsAUsageError() {
        Harness.Result r = set("pw", "--backend", "gdbm", "a@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("unknown backend"), r.err());
    }

    @Test
    void keyTooLongIsAClearError() {
        Harness.Result r = set("pw", "a".repeat(600) + "@r");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("511"), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void entryValuesAreBytesExactly() {
        byte[] raw = {(byte) 0xff, 'x', '\r'};
        assertEquals(0, tool().stdinBytes(raw).run("-p", "-f", db().toString(), "a@r").rc());
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            assertArrayEquals(raw, s.get(UserId.of("a", "r"), "userPassword").orElseThrow());
            assertEquals(1, allOf(s).size());
        }
    }

    private static List<Entry> allOf(CredentialStore s) {
        List<Entry> l = new ArrayList<>();
        s.forEach(l::add);
        return l;
    }

    /**
     * A password in a server address on the command line is refused before anything else: one
     * line saying where a password goes, the usage exit status, the password never echoed, and
     * nothing made of the address (no file, no directory).
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql://admin:s3cret@127.0.0.1:1/mail", "postgres://127.0.0.1:1/mail?password=s3cret"})
    void aPasswordInAServerAddressIsRefused(String address) throws Exception {
        for (String[] args : List.of(new String[] {"-p", "-c", "-f", address, "alice@example.org"},
                new String[] {"-d", "-f", address, "alice@example.org"},
                new String[] {"--disable", "-f", address, "alice@example.org"},
                new String[] {"--batch", "-", "-f", address})) {
            Harness.Result r = tool().stdin(args[0].equals("--batch") ? "add alice@example.org pw\n" : "pw\n").run(args);
            assertEquals(1, r.rc(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("saslpasswd: refusing a password in the store address"), r.err());
            assertTrue(r.err().contains("~/.pgpass"), r.err());
            assertFalse(r.err().contains("s3cret"), r.err());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("postgres")).toList());
        }
        assertFalse(Files.exists(Path.of("postgresql:")), "a directory made of the address");
    }
}
