package org.sasldb4j.store;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The backends on the class path, found once through {@link java.util.ServiceLoader}.
 */
public final class StoreBackends {
    private static volatile Map<Backend, StoreBackend> found;

    private StoreBackends() {}

    /** The backend that writes files of {@code kind}, if its module is on the class path. */
    public static Optional<StoreBackend> of(Backend kind) {
        return Optional.ofNullable(all().get(kind));
    }

    /** The backend that owns files of {@code format}, if any is on the class path. */
    public static Optional<StoreBackend> of(StoreFormat format) {
        return all().values().stream().filter(b -> b.format() == format).findFirst();
    }

    /**
     * The backend of {@code kind}, to open the store at {@code path}.
     *
     * @throws StoreException saying which module to add when it is not on the class path
     */
    static StoreBackend require(Backend kind, Path path) {
        return of(kind).orElseThrow(() -> new StoreException(path + ": no backend for " + kind.name()
                + " stores: add " + moduleOf(kind) + " to the class path"));
    }

    /**
     * The server backend that accepts {@code address}.
     *
     * @throws StoreException saying which module to add when none on the class path does
     */
    static ServerStoreBackend server(String address) {
        for (ServerStoreBackend b : ServiceLoader.load(ServerStoreBackend.class, ServerStoreBackend.class.getClassLoader())) {
            if (b.accepts(address)) {
                return b;
            }
        }
        throw new StoreException(StoreAddress.redacted(address) + ": no backend for this server address:"
                + " add sasldb4j-store-postgresql to the class path");
    }

    /** The artifact that provides {@code kind}, for messages. */
    static String moduleOf(Backend kind) {
        return "sasldb4j-store-" + kind;
    }

    private static Map<Backend, StoreBackend> all() {
        Map<Backend, StoreBackend> m = found;
        if (m == null) {
            m = new EnumMap<>(Backend.class);
            for (StoreBackend b : ServiceLoader.load(StoreBackend.class, StoreBackend.class.getClassLoader())) {
                m.putIfAbsent(b.kind(), b);
            }
            found = m;
        }
        return m;
    }
}
