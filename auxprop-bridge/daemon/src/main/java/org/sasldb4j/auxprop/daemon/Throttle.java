package org.sasldb4j.auxprop.daemon;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.logging.Logger;

/**
 * Slows password guessing down, as Dovecot's {@code auth_penalty} does, per client address and
 * per account, without letting an attacker lock the real user out.
 *
 * <p>Told of every finished login (a {@link LoginObserver}), it counts the failures in a row of
 * each client address and of each account. The connections ask it, before they answer, how long
 * the answer must wait ({@link ThrottleSettings#penaltyNanos}: 0, then the delay doubling up to
 * the cap):
 * <ul>
 *   <li><b>Client address</b> ({@code rip=}, or saslauthd's fifth field): every answer to a
 *       penalised address waits, a success too, so that a guesser cannot tell a right guess
 *       sooner than a wrong one. A success clears the address.
 *   <li><b>Account</b> (the login as looked up, {@code user@realm}, the default realm added to a
 *       login without {@code @}): only <em>failures</em> for it wait. A right password from a
 *       clean address is answered at once, so an attacker guessing from many addresses slows
 *       down its own guesses (Postfix's smtpd waits for each answer, so its guesses are bounded
 *       by the smtpd processes times the delay) but cannot lock the user out. A success does not
 *       clear the account: the user's own logins would otherwise reset the attacker's delay.
 * </ul>
 * Failures that checked no password (a malformed request, an unsupported mechanism), temporary
 * failures, expired and aborted exchanges count for nothing.
 *
 * <p>Memory is bounded: two Caffeine caches of at most {@code maxEntries} entries each, forgotten
 * {@code forgetAfter} after their last failure; keys are at most {@value #MAX_KEY} characters
 * (longer ones are replaced by their SHA-256). Caffeine's admission policy keeps the entries that
 * fail often (an account under attack) over a flood of one-off names. An IPv6 client is counted by
 * its /64 network, which one host usually holds whole.
 *
 * <p>Thread-safe; never blocks.
 */
final class Throttle implements LoginObserver {
    static final Logger LOG = Logger.getLogger("org.sasldb4j.authd.throttle");
    /** Longest key kept as is; longer logins (from the network) are kept as a digest. */
    static final int MAX_KEY = 256;
    /** Failures are counted up to this; far beyond any cap. */
    private static final int MAX_COUNT = 64;

    private final ThrottleSettings settings;
    private final String defaultRealm;
    private final Cache<String, Integer> addresses;
    private final Cache<String, Integer> accounts;
    /** Failures in a row from which the penalty is the cap (logged once per entry). */
    private final int capReachedAt;

    /**
     * @param defaultRealm the realm of a login without {@code @}, so {@code alice} and
     *     {@code alice@REALM} count as one account
     * @param ticker the clock of expiry ({@link Ticker#systemTicker()}; tests pass their own)
     */
    Throttle(ThrottleSettings settings, String defaultRealm, Ticker ticker) {
        this.settings = settings;
        this.defaultRealm = defaultRealm;
        this.addresses = cache(settings, ticker);
        this.accounts = cache(settings, ticker);
        int n = 1;
        while (settings.penaltyNanos(n) < settings.maxDelay().toNanos()) {
            n++;
        }
        this.capReachedAt = n;
    }

    private static Cache<String, Integer> cache(ThrottleSettings s, Ticker ticker) {
        // Maintenance runs on the caller's thread: no hidden pool, and tests see a settled cache.
        return Caffeine.newBuilder().maximumSize(s.maxEntries()).expireAfterWrite(s.forgetAfter())
                .executor(Runnable::run).ticker(ticker).build();
    }

    /** How long any answer to {@code clientAddress} must wait; 0 for an address with no failure. */
    long addressPenaltyNanos(String clientAddress) {
        String key = addressKey(clientAddress);
        return key == null ? 0 : settings.penaltyNanos(count(addresses, key));
    }

    /** How long a failure for {@code login} from {@code clientAddress} must wait. */
    long failurePenaltyNanos(String clientAddress, String login) {
        String key = accountKey(login);
        long account = key == null ? 0 : settings.penaltyNanos(count(accounts, key));
        return Math.max(addressPenaltyNanos(clientAddress), account);
    }

    @Override
    public void loginFinished(LoginEvent event) {
        String address = addressKey(event.context().clientAddress());
        if (event.result() == LoginResult.OK) {
            if (address != null) {
                addresses.invalidate(address);
            }
            return;
        }
        if (!counts(event)) {
            return;
        }
        if (address != null) {
            failed(addresses, address, "client " + AuthLog.safe(address), "its answers wait", "it logs in or ");
        }
        String account = accountKey(event.user());
        if (account != null) {
            failed(accounts, account, "account " + AuthLog.safe(account), "its failures from any address wait", "");
        }
    }

    /** Client addresses whose answers are delayed now (for the metrics; cheap, an estimate). */
    int delayedClients() {
        return (int) Math.min(Integer.MAX_VALUE, addresses.estimatedSize());
    }

    /** Entries remembered now, addresses plus accounts (bounded by twice the maximum). */
    long size() {
        addresses.cleanUp();
        accounts.cleanUp();
        return addresses.estimatedSize() + accounts.estimatedSize();
    }

    /** Counts a failure; says so once, when the penalty reaches the cap (not at every failure). */
    private void failed(Cache<String, Integer> cache, String key, String who, String what, String clearedBy) {
        int n = cache.asMap().merge(key, 1, (a, b) -> Math.min(MAX_COUNT, a + b));
        if (n == capReachedAt) {
            LOG.info(() -> "throttle: " + who + " failed " + n + " logins in a row; " + what + " "
                    + human(settings.maxDelay()) + " until " + clearedBy + "it has no failure for "
                    + human(settings.forgetAfter()));
        }
    }

    static String human(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** A definite failure of a checked login (not a malformed request, not a temporary failure). */
    private static boolean counts(LoginEvent e) {
        return e.result() == LoginResult.FAIL && e.reason() != FailureReason.MALFORMED_REQUEST
                && e.reason() != FailureReason.UNSUPPORTED_MECHANISM;
    }

    private static int count(Cache<String, Integer> cache, String key) {
        Integer n = cache.getIfPresent(key);
        return n == null ? 0 : n;
    }

    /** The account of {@code login} as looked up ({@code user@realm}), or null if none. */
    String accountKey(String login) {
        if (login == null || login.isEmpty()) {
            return null;
        }
        return bounded(login.indexOf('@') < 0 && !defaultRealm.isEmpty() ? login + "@" + defaultRealm : login);
    }

    /**
     * The key of a client address: as given for IPv4 and anything unparsed, the /64 network for
     * IPv6; null when there is no address (a local client), which is never throttled by address.
     */
    static String addressKey(String address) {
        if (address == null || address.isEmpty()) {
            return null;
        }
        if (address.indexOf(':') >= 0 && address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':'
                || c == '.')) {
            try {
                // A literal with ':' is parsed, never looked up in the DNS.
                InetAddress a = InetAddress.getByName(address);
                if (a instanceof Inet6Address) {
                    byte[] net = Arrays.copyOf(a.getAddress(), 16);
                    Arrays.fill(net, 8, 16, (byte) 0);
                    return InetAddress.getByAddress(net).getHostAddress() + "/64";
                }
                return a.getHostAddress();
            } catch (UnknownHostException e) {
                // Not an address: counted as the text it is.
            }
        }
        return bounded(address);
    }

    private static String bounded(String key) {
        if (key.length() <= MAX_KEY) {
            return key;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
