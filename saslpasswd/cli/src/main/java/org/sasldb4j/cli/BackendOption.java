package org.sasldb4j.cli;

import org.sasldb4j.store.Backend;
import picocli.CommandLine.Option;

/** {@code --backend lmdb|sqlite}: the kind of a store created by this run. */
public final class BackendOption {
    @Option(names = "--backend", paramLabel = "lmdb|sqlite",
            description = "Kind of store to create when the file does not exist or is empty (default lmdb)."
                    + " An existing store keeps its kind.")
    String backend;

    /**
     * The chosen backend.
     *
     * @throws IllegalArgumentException naming the valid values
     */
    public Backend backend() {
        return backend == null ? Backend.LMDB : Backend.parse(backend);
    }
}
