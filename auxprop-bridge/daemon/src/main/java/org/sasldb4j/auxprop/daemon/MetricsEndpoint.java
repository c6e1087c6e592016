package org.sasldb4j.auxprop.daemon;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.sasldb4j.store.StoreStats;
import org.sasldb4j.store.postgresql.Replica;

/**
 * {@code --metrics HOST:PORT}: the Prometheus endpoint ({@code /metrics}, Prometheus and
 * OpenMetrics text formats), made with the official Prometheus Java library. It counts finished
 * logins (as a {@link LoginObserver}) and, on each scrape, reads gauges: open connections,
 * throttled clients, the hashing budget, the store's map use and reader slots.
 *
 * <p>Never in a login's way: counting a login is a few lock-free increments, and a scrape only
 * reads atomics and the store's own counters ({@link StoreStats}: no transaction, no write
 * lock), on the endpoint's single thread.
 *
 * <p>Label values are bounded whatever clients send: protocols and mechanisms outside the known
 * sets become {@code other}; results and reasons come from enums.
 *
 * <p><b>Security:</b> the endpoint has no authentication and shows no user name, address or
 * secret; it should listen on loopback or behind a firewall.
 */
final class MetricsEndpoint implements LoginObserver, AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");
    /** Upper bounds of the login latency buckets, in seconds: from a cached check to Argon2 under load. */
    static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter logins;
    private final Histogram durations;
    private final ExecutorService scrapes;
    private final HTTPServer server;

    private MetricsEndpoint(InetSocketAddress address, DaemonContext ctx, IntSupplier dovecotConnections,
            IntSupplier saslauthdConnections) throws IOException {
        logins = Counter.builder().name("sasldb_authd_logins")
                .help("Finished logins by protocol, mechanism, result and (for failures) reason")
                .labelNames("protocol", "mechanism", "result", "reason").register(registry);
        durations = Histogram.builder().name("sasldb_authd_login_duration_seconds")
                .help("Time from a login's first message to its answer, before any failure delay")
                .labelNames("protocol", "mechanism").classicOnly().classicUpperBounds(LATENCY_BUCKETS)
                .withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_connections")
                .help("Connections open now (saslauthd: those being received or checked)").labelNames("protocol")
                .callback(cb -> {
                    if (dovecotConnections != null) {
                        cb.call(dovecotConnections.getAsInt(), "dovecot");
                    }
                    if (saslauthdConnections != null) {
                        cb.call(saslauthdConnections.getAsInt(), "saslauthd");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_throttled_clients")
                .help("Clients whose answers the throttle is delaying now")
                .callback(cb -> cb.call(ctx.throttledClients())).register(registry);
        registerHashing(ctx.limiter());
        registerStore(() -> ctx.backend().stats());
        registerReplica(ctx);
        JvmMetrics.builder().register(registry);
        scrapes = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "authd-metrics");
            t.setDaemon(true);
            return t;
        });
        try {
            server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
                    .registry(registry).executorService(scrapes).buildAndStart();
        } catch (IOException | RuntimeException e) {
            scrapes.shutdownNow();
            throw new IOException("--metrics " + address.getHostString() + ":" + address.getPort()
                    + ": cannot listen: " + e.getMessage() + "; choose a free port", e);
        }
    }

    /**
     * Starts serving {@code /metrics} on {@code address} and returns the observer of logins to
     * add to {@link DaemonContext#logins()}.
     *
     * @param dovecotConnections connections of the Dovecot socket served now, or null without that socket
     * @param saslauthdConnections connections of the saslauthd socket served now, or null without it
     * @throws IOException if the address cannot be bound (one line for the user)
     */
    static MetricsEndpoint start(InetSocketAddress address, DaemonContext ctx, IntSupplier dovecotConnections,
            IntSupplier saslauthdConnections) throws IOException {
        MetricsEndpoint m = new MetricsEndpoint(address, ctx, dovecotConnections, saslauthdConnections);
        LOG.info(() -> "metrics on http://" + address.getHostString() + ":" + m.port() + "/metrics");
        return m;
    }

    /** The port listened on (the one asked for, or the one chosen for port 0). */
    int port() {
        return server.getPort();
    }

    private void registerHashing(WorkLimiter limiter) {
        if (limiter == null) {
            return; // --memory-budget 0: no queue to observe
        }
        GaugeWithCallback.builder().name("sasldb_authd_hashing_queue_length")
                .help("Password verifications waiting for a share of the memory budget")
                .callback(cb -> cb.call(limiter.queued())).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_hashing_memory_used_bytes")
                .help("Memory of the hashing budget taken by verifications running now")
                .callback(cb -> cb.call(limiter.inUseKib() * 1024.0)).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_hashing_memory_budget_bytes")
                .help("The hashing memory budget (--memory-budget)")
                .callback(cb -> cb.call(limiter.budgetKib() * 1024.0)).register(registry);
        CounterWithCallback.builder().name("sasldb_authd_hashing_wait_seconds")
                .help("Time verifications spent waiting for the memory budget")
                .callback(cb -> cb.call(limiter.waitedNanos() / 1e9)).register(registry);
        CounterWithCallback.builder().name("sasldb_authd_hashing_granted")
                .help("Verifications granted a share of the memory budget")
                .callback(cb -> cb.call(limiter.grantedCount())).register(registry);
        CounterWithCallback.builder().name("sasldb_authd_hashing_queue_timeouts")
                .help("Verifications answered with a temporary failure: the budget stayed exhausted (--queue-timeout)")
                .callback(cb -> cb.call(limiter.timedOutCount())).register(registry);
    }

    /** Store gauges, each reported only when the backend knows it. */
    private void registerStore(Supplier<StoreStats> stats) {
        GaugeWithCallback.builder().name("sasldb_authd_store_used_bytes")
                .help("Bytes the store's data occupies (LMDB: pages in use; SQLite: file and WAL)")
                .callback(cb -> statsOf(stats).bytesUsed().ifPresent(v -> cb.call(v))).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_store_capacity_bytes")
                .help("LMDB map size; the store doubles it when a write finds it full")
                .callback(cb -> statsOf(stats).bytesCapacity().ifPresent(v -> cb.call(v))).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_store_reader_slots_used")
                .help("LMDB reader table slots taken by any process (high-water mark: an upper bound of those in use)")
                .callback(cb -> statsOf(stats).readerSlotsUsed().ifPresent(v -> cb.call(v))).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_store_reader_slots_max")
                .help("Size of the LMDB reader table; a full table refuses every new reader of the file")
                .callback(cb -> statsOf(stats).readerSlotsMax().ifPresent(v -> cb.call(v))).register(registry);
    }

    /** Replica gauges ({@code --replica-of}); nothing is reported without a replica. */
    private void registerReplica(DaemonContext ctx) {
        GaugeWithCallback.builder().name("sasldb_authd_replica_staleness_seconds")
                .help("Time since the replica last agreed with the database (grows while it is unreachable)")
                .callback(cb -> {
                    Replica.Status s = ctx.replicaStatus();
                    if (s != null) {
                        cb.call(s.staleness().toMillis() / 1000.0);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_replica_applied_seq")
                .help("The last position of the database's change log (sasldb4j.changes.seq) applied to the replica")
                .callback(cb -> {
                    Replica.Status s = ctx.replicaStatus();
                    if (s != null) {
                        cb.call(s.appliedSeq());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sasldb_authd_replica_state")
                .help("1 for the replica's state now (starting, following, copying, unreachable, stopped), 0 for the others")
                .labelNames("state").callback(cb -> {
                    Replica.Status s = ctx.replicaStatus();
                    if (s != null) {
                        for (Replica.State st : Replica.State.values()) {
                            cb.call(st == s.state() ? 1 : 0, st.word());
                        }
                    }
                }).register(registry);
    }

    private static StoreStats statsOf(Supplier<StoreStats> stats) {
        try {
            return stats.get();
        } catch (RuntimeException e) {
            return StoreStats.NONE; // a backend being swapped by a reload: nothing this scrape
        }
    }

    @Override
    public void loginFinished(LoginEvent e) {
        String protocol = protocolLabel(e.context().protocol());
        String mechanism = mechanismLabel(e.mechanism());
        logins.labelValues(protocol, mechanism, e.result().word(), e.reason() == null ? "none" : e.reason().word())
                .inc();
        durations.labelValues(protocol, mechanism).observe(Math.max(0, e.durationNanos()) / 1e9);
    }

    /** {@code dovecot} or {@code saslauthd}; anything else (never expected) {@code other}. */
    static String protocolLabel(String protocol) {
        return "dovecot".equals(protocol) || "saslauthd".equals(protocol) ? protocol : "other";
    }

    /** A mechanism this daemon implements, or {@code saslauthd}; a name a client made up is {@code other}. */
    static String mechanismLabel(String mechanism) {
        if (mechanism == null) {
            return "other";
        }
        if (mechanism.equals("saslauthd")) {
            return mechanism;
        }
        String upper = mechanism.toUpperCase(Locale.ROOT);
        return Mechanism.KNOWN.containsKey(upper) ? upper : "other";
    }

    @Override
    public void close() {
        server.close();
        scrapes.shutdownNow();
    }
}
