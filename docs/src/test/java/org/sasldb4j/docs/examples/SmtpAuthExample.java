package org.sasldb4j.docs.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.sasldb4j.auxprop.sasl.SaslDb4jProvider;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretSet;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server (SubEthaSMTP) on 127.0.0.1 authenticating through the auxprop bridge, and
 * Eclipse Angus Mail clients logging in with PLAIN, LOGIN and CRAM-MD5. Run it with
 * {@code main}, or as the test {@code SmtpAuthExampleTest}. Referenced from docs/bridge.md.
 */
public final class SmtpAuthExample implements AutoCloseable {
    /** Messages the server accepted: "sender -> recipient (authenticated as id)". */
    public final List<String> delivered = new CopyOnWriteArrayList<>();
    private final AuxpropBridge bridge;
    private final SMTPServer smtp;

    /** Creates a store with two users in {@code dir} and starts the server on an ephemeral port. */
    public SmtpAuthExample(Path dir) {
        Path store = dir.resolve("sasldb2.lmdb");
        // 1. A store, as saslpasswd would write it: alice with a plaintext userPassword (Cyrus).
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("alice", "mail.example.org"), "userPassword",
                    "wonderland".getBytes(StandardCharsets.UTF_8)));
        }
        // 2. The bridge: opened once, permission-checked, kept open.
        bridge = AuxpropBridge.open(store, BridgeConfig.of("mail.example.org").withPolicy(SecretSet.PLAINTEXT));
        // 3. The SASLDB4J provider ahead of SunSASL, so CRAM-MD5 is ours.
        if (Security.getProvider(SaslDb4jProvider.NAME) == null) {
            Security.insertProviderAt(new SaslDb4jProvider(), 1);
        }
        // 4. SubEthaSMTP with an AUTH handler backed by javax.security.sasl and the bridge.
        smtp = SMTPServer.port(0)
                .bindAddress(java.net.InetAddress.getLoopbackAddress())
                .hostName("mail.example.org")
                .authenticationHandlerFactory(new SaslAuthenticationHandlerFactory(
                        List.of("PLAIN", "LOGIN", "CRAM-MD5"), BridgeCallbackHandler.of(bridge), "mail.example.org"))
                .requireAuth(true)
                .messageHandler((context, from, to, data) -> delivered.add(from + " -> " + to
                        + " (authenticated as " + context.getAuthenticationHandler().map(h -> h.getIdentity()).orElse(null) + ")"))
                .build();
        smtp.start();
    }

    public int port() {
        return smtp.getPortAllocated();
    }

    /**
     * Sends one message as {@code user}, authenticating with {@code mechanism}: PLAIN and LOGIN
     * with Angus's built-in code, CRAM-MD5 through {@code javax.security.sasl} (SunSASL's client).
     *
     * @throws AuthenticationFailedException if the server refuses the login
     */
    public void send(String mechanism, String user, String password) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port()));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.connectiontimeout", "5000");
        p.put("mail.smtp.timeout", "5000");
        if (mechanism.equals("CRAM-MD5")) {
            p.put("mail.smtp.sasl.enable", "true");
            p.put("mail.smtp.sasl.mechanisms", "CRAM-MD5");
        } else {
            p.put("mail.smtp.auth.mechanisms", mechanism);
        }
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(user + "@mail.example.org"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.net"));
        m.setSubject("hello via " + mechanism);
        m.setText("sent through sasldb4j's auxprop bridge");
        Transport.send(m, user, password);
    }

    @Override
    public void close() {
        smtp.stop();
        bridge.close();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sasldb4j-smtp");
        try (SmtpAuthExample example = new SmtpAuthExample(dir)) {
            for (String mech : List.of("PLAIN", "LOGIN", "CRAM-MD5")) {
                example.send(mech, "alice", "wonderland");
                try {
                    example.send(mech, "alice", "looking-glass");
                } catch (AuthenticationFailedException expected) {
                    System.out.println(mech + " with a wrong password: refused (" + expected.getMessage().trim() + ")");
                }
            }
            example.delivered.forEach(System.out::println);
        }
    }
}
