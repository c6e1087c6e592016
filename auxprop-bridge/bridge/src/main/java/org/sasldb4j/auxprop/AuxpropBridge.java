package org.sasldb4j.auxprop;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.FollowingStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.MechanismSecrets;
import org.sasldb4j.store.secret.PasswordVerifier;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramSaltKey;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.Wipe;

/**
 * Cyrus auxprop semantics over a sasldb4j store: what SASL mechanisms call to find users, fetch
 * the secret a mechanism needs, and verify passwords.
 *
 * <p>{@link #open} opens the store once, read-only, after the permission check for secrets
 * ({@link StoreOptions#readingSecrets()}), and keeps it open; every lookup is one short read
 * transaction on that open store, so it sees what {@code saslpasswd} committed before it, without
 * reopening the file for each lookup as libsasl does. The file at the path is followed
 * ({@link FollowingStore}): checked every {@link #STORE_CHECK_INTERVAL}, a file replaced by a
 * rename is reopened with the same checks, and while the path is missing or cannot be opened
 * lookups throw {@link org.sasldb4j.store.StoreException} (a temporary failure).
 *
 * <p>Names are canonicalised as Cyrus's server does (docs/reference/cyrus-sasldb.md §2.2): trimmed,
 * split at the first {@code @}, realm defaulted to the connection's user realm or the server FQDN. Methods
 * taking {@code (name, userRealm)} use {@code userRealm} as that connection's {@code user_realm}
 * (null: none, so the configured {@link BridgeConfig#userRealm()} applies if set, else the FQDN).
 *
 * <p>Thread-safe. Close it to release the store.
 *
 * <p><b>Security:</b> passwords go in as {@code char[]} or {@code byte[]} and are not retained or
 * modified (the caller wipes them); every value read from the store is wiped after use;
 * secrets returned ({@link #plaintext}, {@link #scramKeys}, {@link #cramMd5Context}) are the
 * caller's to wipe. Exceptions and {@code toString()} never carry secrets. A disabled account
 * yields no mechanism secret, so challenge-response mechanisms fail for it like a wrong password.
 */
public final class AuxpropBridge implements AutoCloseable {
    private final CredentialStore store;
    private final BridgeConfig config;
    private final PasswordVerifier verifier;
    private final MechanismSecrets secrets;
    /** A user stored under the policy, with a random password: what an unknown user's lookup yields instead of nothing. */
    private final List<Entry> standIn;
    /** The stand-in's keys and values, copied from for each unknown user (not secrets: random). */
    private final List<byte[][]> standInBytes;
    /** Re-hashing at login, or null when off. */
    private final LoginRehash rehash;

    AuxpropBridge(CredentialStore store, BridgeConfig config, ScramSaltKey saltKey) {
        this(store, config, saltKey, null);
    }

    AuxpropBridge(CredentialStore store, BridgeConfig config, ScramSaltKey saltKey, LoginRehash rehash) {
        this.store = Objects.requireNonNull(store, "store");
        this.rehash = rehash;
        this.config = Objects.requireNonNull(config, "config");
        this.verifier = new PasswordVerifier(config.policy());
        this.secrets = new MechanismSecrets(saltKey, config.scramIterations());
        char[] random = new char[24];
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < random.length; i++) {
            random[i] = (char) ('a' + r.nextInt(26));
        }
        try {
            this.standIn = List.copyOf(config.policy().encode(UserId.of("sasldb4j-dummy", ""), random));
            this.standInBytes = standIn.stream().map(e -> new byte[][] {e.key(), e.value()}).toList();
        } finally {
            Arrays.fill(random, '\0');
        }
    }

    /**
     * Opens the store at {@code path} for reading secrets and keeps it open, with a random SCRAM
     * salt key for this bridge's life (see {@link #open(Path, BridgeConfig, ScramSaltKey)}).
     *
     * @throws org.sasldb4j.store.UnsafePermissionsException if others may read or write it
     * @throws org.sasldb4j.store.StoreException if it cannot be opened
     */
    public static AuxpropBridge open(Path path, BridgeConfig config) {
        return open(path, config, ScramSaltKey.random());
    }

    /** How often the bridge compares its store's path with the file it has open. */
    public static final Duration STORE_CHECK_INTERVAL = Duration.ofSeconds(1);

    /**
     * {@link #open(Path, BridgeConfig)}, reporting changes of the file at {@code path} (replaced,
     * missing, unreadable, back) to {@code log}, one line each.
     */
    public static AuxpropBridge open(Path path, BridgeConfig config, Logger log) {
        return open(path, config, ScramSaltKey.random(), log);
    }

    /**
     * Opens the store with {@code saltKey} for the SCRAM salts of users without stored SCRAM keys
     * (plaintext, disabled and unknown users): a persistent key keeps those salts across
     * restarts, as stored salts are, so they do not tell who has stored keys.
     *
     * @throws org.sasldb4j.store.UnsafePermissionsException if others may read or write it
     * @throws org.sasldb4j.store.StoreException if it cannot be opened
     */
    public static AuxpropBridge open(Path path, BridgeConfig config, ScramSaltKey saltKey) {
        return open(path, config, saltKey, Logger.getLogger("org.sasldb4j.store"));
    }

    /**
     * Opens the store with {@code saltKey} (see {@link #open(Path, BridgeConfig, ScramSaltKey)}),
     * following the file at {@code path} and reporting its changes (replaced, missing,
     * unreadable, back) to {@code log}, one line each.
     *
     * @throws org.sasldb4j.store.UnsafePermissionsException if others may read or write it
     * @throws org.sasldb4j.store.StoreException if it cannot be opened
     */
    public static AuxpropBridge open(Path path, BridgeConfig config, ScramSaltKey saltKey, Logger log) {
        return open(path, config, saltKey, log, null);
    }

    /**
     * {@link #open(Path, BridgeConfig, ScramSaltKey, Logger)} with {@code rehash} (null: none):
     * successful password verifications of users whose secrets are weaker than its target set
     * are handed to it ({@link LoginRehash}). The store is then opened read-write (same
     * permission check for secrets); if it cannot be, it is opened read-only, {@code log} gets
     * one WARNING saying why, and re-hashing stays off until the store is opened again (a
     * reload) with write access.
     *
     * @throws org.sasldb4j.store.UnsafePermissionsException if others may read or write it
     * @throws org.sasldb4j.store.StoreException if it cannot be opened even read-only
     */
    public static AuxpropBridge open(Path path, BridgeConfig config, ScramSaltKey saltKey, Logger log,
            LoginRehash rehash) {
        CredentialStore store = null;
        LoginRehash active = rehash;
        if (rehash != null) {
            try {
                store = FollowingStore.open(path, new StoreOptions(StoreOptions.Access.READ_WRITE,
                        org.sasldb4j.store.Backend.LMDB, true), STORE_CHECK_INTERVAL, log);
            } catch (org.sasldb4j.store.UnsafePermissionsException | org.sasldb4j.store.StoreNotFoundException
                    | org.sasldb4j.store.ForeignFormatException e) {
                throw e; // read-only would fail the same way: say it once, as a read-only open would
            } catch (org.sasldb4j.store.StoreException e) {
                log.warning("cannot open " + path + " for writing (" + e.getMessage() + "): rehashing at login is"
                        + " off; serving it read-only. Give the daemon write access to the store, its directory and"
                        + " lock file (docs/postfix.md, \"Upgrading hashes as users log in\"), then reload");
                active = null;
            }
        }
        if (store == null) {
            store = FollowingStore.open(path, StoreOptions.readOnly().readingSecrets(), STORE_CHECK_INTERVAL, log);
        }
        try {
            return new AuxpropBridge(store, config, saltKey, active);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * A bridge over a store the caller opened (a replica, or a database read directly), with
     * {@code saltKey} for SCRAM salts as {@link #open(Path, BridgeConfig, ScramSaltKey)}; no
     * re-hashing at login. Closing the bridge closes {@code store}. The caller has made the
     * permission checks its kind of store needs.
     */
    public static AuxpropBridge over(CredentialStore store, BridgeConfig config, ScramSaltKey saltKey) {
        return new AuxpropBridge(store, config, saltKey, null);
    }

    /** True if successful logins are handed to a {@link LoginRehash} (on, and the store is writable). */
    public boolean rehashesAtLogin() {
        return rehash != null;
    }

    public BridgeConfig config() {
        return config;
    }

    /** {@link #canonicalize(String, String)} with the configured user realm. */
    public Optional<CanonicalUser> canonicalize(String name) {
        return canonicalize(name, config.userRealm());
    }

    /**
     * Cyrus server-side canonicalisation.
     *
     * @param userRealm this connection's {@code user_realm}; null means the configured
     *     {@link BridgeConfig#userRealm()} (itself possibly null: none)
     * @return empty for an empty or all-whitespace name, one containing NUL, or one longer than
     *     Cyrus's 1024-byte buffer
     */
    public Optional<CanonicalUser> canonicalize(String name, String userRealm) {
        String realm = userRealm != null ? userRealm : config.userRealm();
        return Canonicalizer.canonicalize(name, realm, config.serverFqdn());
    }

    /**
     * An auxprop lookup as {@code plugins/sasldb.c} answers it (docs/reference/cyrus-sasldb.md §11.1, §11.2).
     *
     * @param name the user name as the client sent it
     * @param authzid false for an authid lookup (fetches the {@code *} names, e.g.
     *     {@code *userPassword}); true for an authzid lookup (fetches names without {@code *})
     * @param properties the requested names; values come back under these names
     * @return status {@code NOUSER} if an authid lookup found neither a requested property nor
     *     {@code userPassword}, or the name does not canonicalise; otherwise {@code OK}
     */
    public AuxpropLookup lookup(String name, String userRealm, boolean authzid, List<String> properties) {
        Optional<CanonicalUser> user = canonicalize(name, userRealm);
        if (user.isEmpty()) {
            return new AuxpropLookup(AuxpropLookup.Status.NOUSER, new java.util.LinkedHashMap<>());
        }
        return withRecords(user.get(), records -> Lookups.lookup(records, authzid, properties));
    }

    /**
     * Verifies a password with whatever secret the user has (rules: {@link PasswordVerifier}):
     * {@code userPassword} as {@code sasl_checkpass} (then {@code cmusaslsecretPLAIN}), otherwise
     * every hashed secret present (Argon2id, SCRAM keys, CRAM-MD5 context, legacy salted MD5).
     * An unknown user, or a name that does not canonicalise, costs one dummy verification.
     *
     * @param name the user name as the client sent it
     * @param userRealm this connection's user realm, or null for none
     * @param password not modified, not retained
     */
    public Outcome verify(String name, String userRealm, char[] password) {
        Optional<CanonicalUser> user = canonicalize(name, userRealm);
        if (user.isEmpty()) {
            return verifier.verifyUnknownUser(password);
        }
        return withRecords(user.get(), records -> {
            if (records.isEmpty()) {
                return verifyStandIn(copies -> verifier.verify(copies, password));
            }
            Outcome o = verifier.verify(records, password);
            if (rehash != null && o.authenticated()) {
                byte[] pw = utf8(password);
                try {
                    if (pw.length > 0) {
                        rehash.consider(store, user.get().userId(), records, pw, o);
                    }
                } finally {
                    Wipe.bytes(pw);
                }
            }
            return o;
        });
    }

    /**
     * A SHA-256 digest of every record the user has now (keys and values, the disabled mark
     * included), so a cache of verifications can tell that the user's secrets changed since: a
     * password change, a deletion or {@code --disable} gives another digest.
     *
     * <p>Security: the digest is computed over secrets (for a plaintext user, a fast hash of the
     * password). Use it only as input to a keyed MAC, and wipe it.
     *
     * @return the digest; an empty array for an unknown user or a name that does not canonicalise
     */
    public byte[] recordsDigest(String name, String userRealm) {
        Optional<CanonicalUser> user = canonicalize(name, userRealm);
        if (user.isEmpty()) {
            return new byte[0];
        }
        return withRecords(user.get(), org.sasldb4j.store.RecordsDigest::of);
    }

    /** {@link #verify(String, String, char[])} for a password as raw bytes (SASL PLAIN). */
    public Outcome verify(String name, String userRealm, byte[] password) {
        Optional<CanonicalUser> user = canonicalize(name, userRealm);
        if (user.isEmpty()) {
            return verifier.verifyUnknownUser(password);
        }
        return verify(user.get(), password);
    }

    /** Verifies an already canonical user. */
    public Outcome verify(CanonicalUser user, byte[] password) {
        return withRecords(user, records -> {
            if (records.isEmpty()) {
                return verifyStandIn(copies -> verifier.verify(copies, password));
            }
            Outcome o = verifier.verify(records, password);
            if (rehash != null && o.authenticated()) {
                rehash.consider(store, user.userId(), records, password, o);
            }
            return o;
        });
    }

    /**
     * An unknown user's verification: the known user's code path over copies of the stand-in's
     * records, copied as a store read copies a user's records, then
     * {@link Outcome#NO_SUCH_USER}. (A shortcut that skipped the copies and the record handling
     * answered about 1 µs sooner, which {@code UserExistenceTimingIT} told apart.)
     */
    private Outcome verifyStandIn(Function<List<Entry>, Outcome> verify) {
        List<Entry> copies = new ArrayList<>(standInBytes.size());
        try {
            for (byte[][] kv : standInBytes) {
                copies.add(Entry.fromKey(kv[0], kv[1])); // copies both, as a store read does
            }
            verify.apply(copies);
            return Outcome.NO_SUCH_USER;
        } finally {
            wipe(copies);
        }
    }

    /**
     * The plaintext {@code userPassword} (up to its first NUL, as libsasl's propctx string), for
     * DIGEST-MD5 and other mechanisms that need the password itself.
     *
     * @return empty if the user has none, it is empty, or the account is disabled; otherwise a
     *     copy the caller wipes
     */
    public Optional<byte[]> plaintext(CanonicalUser user) {
        return withRecords(user,
                records -> MechanismSecrets.isDisabled(records) ? Optional.empty() : MechanismSecrets.plaintext(records));
    }

    /**
     * The password DIGEST-MD5 needs, as characters ({@link MechanismSecrets#digestMd5Password}).
     *
     * @return empty if the user has no plaintext, it is empty, or the account is disabled;
     *     otherwise characters the caller wipes
     */
    public Optional<char[]> digestMd5Password(CanonicalUser user) {
        return withRecords(user, records -> {
            if (records.isEmpty()) {
                // Unknown: the stand-in's work, so the lookup costs what a known user's does.
                MechanismSecrets.digestMd5Password(standIn).ifPresent(Wipe::chars);
                return Optional.empty();
            }
            return MechanismSecrets.digestMd5Password(records);
        });
    }

    /**
     * What a SCRAM server answers a client naming {@code user} with ({@link MechanismSecrets#scram}):
     * the user's keys, or decoys with a salt as stable as a real one for an unknown user, a
     * disabled account or one without a secret for {@code variant}. Costs one key derivation in
     * every case, so the answer takes the same time whoever is named.
     *
     * <p><b>Security:</b> the caller wipes the keys.
     */
    public MechanismSecrets.Scram scram(CanonicalUser user, ScramVariant variant) {
        return withRecords(user, records -> secrets.scram(user.userId(), records, standIn, variant));
    }

    /** Iterations of SCRAM key derivation done so far (a work counter for tests). */
    long scramWork() {
        return secrets.hiIterations();
    }

    /**
     * The SCRAM keys for {@code variant}: derived from {@code userPassword} when there is one (as
     * Cyrus: it wins over {@code authPassword}; salt from the salt key, stable per user, iteration
     * count {@link BridgeConfig#scramIterations()}, password SASLprep'd), else (SCRAM-SHA-256)
     * sasldb4j's own stored keys, else the {@code authPassword} of that variant
     * ({@link MechanismSecrets}).
     *
     * @return empty for no such user, no usable secret, or a disabled account
     */
    public Optional<ScramKeys> scramKeys(CanonicalUser user, ScramVariant variant) {
        return withRecords(user, records -> secrets.scramKeys(user.userId(), records, variant));
    }

    /**
     * Keys no password matches, with the salt and iteration count an unknown user would get each
     * time: a SCRAM server answers with them so unknown users look like known ones (RFC 5802 §9).
     * Costs one key derivation, as a plaintext user's keys do.
     */
    public ScramKeys scramDecoy(CanonicalUser user, ScramVariant variant) {
        return secrets.decoy(user.userId(), variant);
    }

    /**
     * The CRAM-MD5 HMAC context: from {@code userPassword} when there is one (as Cyrus), else
     * sasldb4j's stored context, else the legacy {@code cmusaslsecretCRAM-MD5}.
     *
     * @return empty for no such user, no usable secret (an empty {@code userPassword} is
     *     Cyrus's "empty secret" failure), or a disabled account
     */
    public Optional<CramMd5Context> cramMd5Context(CanonicalUser user) {
        return withRecords(user, records -> MechanismSecrets.cramMd5(records));
    }

    /**
     * What a CRAM-MD5 server checks a response with ({@link MechanismSecrets#cram}): the user's
     * context, or a decoy for an unknown user (made from a stand-in user of the configured
     * policy, so it costs what a known user costs), a disabled account or one without a secret
     * CRAM-MD5 can use.
     *
     * <p><b>Security:</b> the caller wipes the context.
     */
    public MechanismSecrets.Cram cramMd5(CanonicalUser user) {
        return withRecords(user, records -> secrets.cram(records, standIn));
    }

    /** True if the user's records carry the disabled mark. */
    public boolean isDisabled(CanonicalUser user) {
        return withRecords(user, records -> MechanismSecrets.isDisabled(records));
    }

    /**
     * Why {@code user} cannot log in with {@code mechanism} whatever the password, for a
     * {@link LoginDiagnosis}: {@link LoginDiagnosis.Reason#UNKNOWN_USER}, {@code DISABLED},
     * {@code NO_SECRET_FOR_MECHANISM} or {@code MALFORMED_SECRET}; empty if a stored secret serves
     * the mechanism (a failure is then a wrong password). Follows the rule of
     * {@link MechanismSecrets} (docs/format.md, "Secrets for mechanisms").
     *
     * <p>One read transaction; an unknown user's answer is found by classifying the stand-in's
     * records, so it costs what a known user's does. Nothing here reaches the client.
     *
     * @param mechanism an upper-case SASL mechanism name; any other value (e.g. {@code saslauthd})
     *     asks about a plaintext password check
     */
    public Optional<LoginDiagnosis.Reason> whyNot(CanonicalUser user, String mechanism) {
        return withRecords(user, records -> {
            if (records.isEmpty()) {
                List<Entry> copies = new ArrayList<>(standInBytes.size());
                try {
                    for (byte[][] kv : standInBytes) {
                        copies.add(Entry.fromKey(kv[0], kv[1]));
                    }
                    SecretStatus.whyNot(copies, mechanism);
                    return Optional.of(LoginDiagnosis.Reason.UNKNOWN_USER);
                } finally {
                    wipe(copies);
                }
            }
            return SecretStatus.whyNot(records, mechanism);
        });
    }

    /**
     * Whether {@code authenticated} may act as the authorization id the client sent: empty means
     * itself; otherwise it is canonicalised like a user name and given to the configured
     * {@link AuthorizationPolicy}.
     *
     * @return the canonical authorization identity, or empty if not permitted
     */
    public Optional<CanonicalUser> authorize(CanonicalUser authenticated, String authzid, String userRealm) {
        if (authzid == null || authzid.isEmpty()) {
            return Optional.of(authenticated);
        }
        Optional<CanonicalUser> requested = canonicalize(authzid, userRealm);
        if (requested.isEmpty()) {
            return Optional.empty();
        }
        return config.authorization().permits(authenticated, requested.get()) ? requested : Optional.empty();
    }

    /** Releases the store. */
    /**
     * How full the open store is (see {@link org.sasldb4j.store.StoreStats}), for monitoring:
     * cheap, takes no write lock, never throws.
     */
    public org.sasldb4j.store.StoreStats storeStats() {
        return store.stats();
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "AuxpropBridge[" + store.path() + ", realm " + config.serverFqdn() + "]";
    }

    /**
     * {@code read} over the user's records (one read transaction), which are wiped after it,
     * whatever it returns or throws: the one place a bridge lookup's secrets end.
     */
    private <T> T withRecords(CanonicalUser user, Function<List<Entry>, T> read) {
        List<Entry> records = records(user);
        try {
            return read.apply(records);
        } finally {
            wipe(records);
        }
    }

    private List<Entry> records(CanonicalUser user) {
        return store.user(user.userId());
    }

    /**
     * The strict UTF-8 of {@code chars} (a copy the caller wipes), or an empty array if they are
     * not valid Unicode (such a password matched nothing: the verifier checked no bytes for it).
     */
    private static byte[] utf8(char[] chars) {
        java.nio.ByteBuffer b;
        try {
            b = java.nio.charset.StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(chars));
        } catch (java.nio.charset.CharacterCodingException e) {
            return new byte[0];
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    private static void wipe(List<Entry> records) {
        for (Entry e : records) {
            e.wipe();
        }
    }
}
