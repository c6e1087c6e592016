package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Recognises a file and hands it to the backend that owns its format, found through
 * {@link StoreBackends}. Messages say what is wrong with the file; what a user should run
 * instead is the commands' business (they read {@link StoreNotFoundException#store()} and
 * {@link ForeignFormatException#path()}).
 */
final class StoreOpener {
    private StoreOpener() {}

    static CredentialStore open(Path path, StoreOptions options) {
        boolean create = options.access() == StoreOptions.Access.CREATE;
        boolean readOnly = options.access() == StoreOptions.Access.READ_ONLY;
        // Before anything reads or creates a file: the directories, links and side files.
        boolean sqlite = options.backend() == Backend.SQLITE || StoreFormat.peekSqlite(path);
        StoreFiles.Checked checked = StoreFiles.checkData(path, !readOnly, sqlite);
        StoreFormat format = StoreFormat.detect(path);
        if (sqlite && !(format == StoreFormat.SQLITE
                || options.backend() == Backend.SQLITE && (format == StoreFormat.MISSING || format == StoreFormat.EMPTY))) {
            // Not a SQLite store after all: the stricter rule of every other kind applies.
            checked = StoreFiles.checkData(path, !readOnly, false);
        }
        CredentialStore store = switch (format) {
            case MISSING -> {
                if (!create) {
                    throw new StoreNotFoundException(path);
                }
                StoreBackends.require(options.backend(), path); // before a file is created for nothing
                createFile(path);
                yield openBackend(StoreFiles.checkData(path, true, options.backend() == Backend.SQLITE),
                        options.backend(), false);
            }
            case EMPTY -> readOnly
                    ? new EmptyStore(path)
                    : openBackend(checked, options.backend(), false);
            case LMDB -> openBackend(checked, Backend.LMDB, readOnly);
            case SQLITE -> openBackend(checked, Backend.SQLITE, readOnly);
            case BDB_HASH, BDB_BTREE -> throw new ForeignFormatException(format, path, path + " is "
                    + format.description() + " written by Cyrus SASL, which sasldb4j does not change in place.");
            case DB_DUMP, GDBM_DUMP -> throw new ForeignFormatException(format, path, path + " is "
                    + format.description() + ", not a store.");
            case DIRECTORY -> throw new ForeignFormatException(format, path + " is a directory, not a store file");
            case POSTGRESQL -> throw new IllegalStateException("never detected from a file");
            case UNKNOWN -> throw new ForeignFormatException(format, path + " is not a sasldb store"
                    + " (neither LMDB, SQLite nor Berkeley DB: text or a damaged file?); refusing to touch it");
        };
        if (options.readsSecrets()) {
            try {
                PermissionPolicy.requireSafeForSecrets(filesOf(store));
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
        return store;
    }

    private static CredentialStore openBackend(StoreFiles.Checked checked, Backend kind, boolean readOnly) {
        Path path = checked.given();
        StoreBackend backend = StoreBackends.require(kind, path);
        // A library that opens and creates a side file following links (LMDB's <path>-lock):
        // that file must exist, checked, first.
        StoreFiles.checkSideFiles(checked, backend.sideFileSuffixes(), backend.sideFileCreatedFirst());
        // A library that opens the file without following a link (SQLite) is given a link the
        // checks trusted resolved.
        Path resolved = checked.named().equals(checked.data()) ? path : checked.data().file();
        return backend.open(path, resolved, readOnly);
    }

    /** The data file and the side files its backend keeps beside it. */
    static List<Path> filesOf(CredentialStore store) {
        Path p = store.path();
        return StoreBackends.of(store.format()).map(b -> b.files(p)).orElse(List.of(p));
    }

    private static void createFile(Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new StoreException("cannot create " + path + ": directory " + parent + " does not exist");
            }
            Files.createFile(path, PermissionPolicy.newFileAttribute());
            PermissionPolicy.restrictNew(path);
        } catch (FileAlreadyExistsException e) {
            // Another process created it first; the backend opens what is there.
        } catch (IOException e) {
            throw new StoreException("cannot create " + path + ": " + StoreFormat.describe(e), e);
        }
    }
}
