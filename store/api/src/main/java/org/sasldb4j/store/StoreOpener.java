package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sasldb4j.store.lmdb.LmdbBackend;
import org.sasldb4j.store.sqlite.SqliteBackend;

/** Recognises a file and hands it to the backend that owns its format. */
final class StoreOpener {
    private static final String LOCK_SUFFIX = "-lock";

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
                    throw new StoreNotFoundException(path + ": no such store."
                            + " Create it by adding a user: saslpasswd -c -f " + path + " USER");
                }
                createFile(path);
                yield openBackend(StoreFiles.checkData(path, true, options.backend() == Backend.SQLITE),
                        options.backend(), false);
            }
            case EMPTY -> readOnly
                    ? new EmptyStore(path)
                    : openBackend(checked, options.backend(), false);
            case LMDB -> openBackend(checked, Backend.LMDB, readOnly);
            case SQLITE -> openBackend(checked, Backend.SQLITE, readOnly);
            case BDB_HASH, BDB_BTREE -> throw new ForeignFormatException(format, path + " is "
                    + format.description() + " written by Cyrus SASL, which sasldb4j does not change in place."
                    + " Convert it with: sasldbconvert " + path + " NEW_STORE");
            case DB_DUMP, GDBM_DUMP -> throw new ForeignFormatException(format, path + " is "
                    + format.description() + ", not a store. Import it with: sasldbconvert " + path + " NEW_STORE");
            case DIRECTORY -> throw new ForeignFormatException(format, path + " is a directory, not a store file");
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

    private static CredentialStore openBackend(StoreFiles.Checked checked, Backend backend, boolean readOnly) {
        Path path = checked.given();
        return switch (backend) {
            case LMDB -> {
                // LMDB opens (and creates) <path>-lock following links: it must exist, checked, first.
                StoreFiles.checkSideFiles(checked, List.of(LOCK_SUFFIX), LOCK_SUFFIX);
                yield LmdbBackend.open(path, readOnly);
            }
            case SQLITE -> {
                StoreFiles.checkSideFiles(checked, List.of("-wal", "-shm", "-journal"), null);
                // SQLite opens the file without following a link: a link the checks trusted is
                // given to it resolved.
                yield SqliteBackend.open(checked.named().equals(checked.data()) ? path : checked.data().file(), readOnly);
            }
        };
    }

    /** The data file and the side files its backend keeps beside it. */
    static List<Path> filesOf(CredentialStore store) {
        Path p = store.path();
        return switch (store.format()) {
            case LMDB -> List.of(p, LmdbBackend.lockFile(p));
            case SQLITE -> List.of(p, SqliteBackend.walFile(p), SqliteBackend.shmFile(p));
            default -> List.of(p);
        };
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
