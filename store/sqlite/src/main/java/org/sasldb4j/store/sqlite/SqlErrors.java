package org.sasldb4j.store.sqlite;

import java.nio.file.Path;
import java.sql.SQLException;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.StoreException;
import org.sqlite.SQLiteException;

/**
 * Turns SQLite failures into messages for the person running the tool.
 *
 * <p>Statements bind every key and value as a parameter, so SQLite's own texts (which quote SQL,
 * never bound values) cannot carry a secret; they are still used only where no better words exist.
 */
final class SqlErrors {
    private SqlErrors() {}

    /**
     * A {@link StoreException} for {@code "<what> <path>: <reason>"}, e.g. "cannot write to
     * /etc/sasldb2: ...". Damage is reported as {@link DamagedStoreException}.
     */
    static StoreException failure(String what, Path path, SQLException e) {
        int code = primaryCode(e);
        String prefix = what + " " + path + ": ";
        return switch (code) {
            case 11, 26 -> new DamagedStoreException(prefix + "the SQLite file is damaged ("
                    + (code == 11 ? "SQLITE_CORRUPT" : "SQLITE_NOTADB") + "); check it with: sqlite3 "
                    + path + " 'PRAGMA integrity_check'", e);
            default -> new StoreException(prefix + reason(code, path, e), e);
        };
    }

    /** The primary SQLite result code (extended codes carry it in their low byte). */
    static int primaryCode(SQLException e) {
        int code = e instanceof SQLiteException se ? se.getResultCode().code : e.getErrorCode();
        return code & 0xff;
    }

    private static String reason(int code, Path path, SQLException e) {
        return switch (code) {
            case 5, 6 -> "another process kept the store locked for more than "
                    + SqliteStore.BUSY_TIMEOUT_MS / 1000 + " s; try again";
            case 8 -> "the store is read-only for this user (SQLite must also be able to write "
                    + SqliteBackend.walFile(path).getFileName() + " and "
                    + SqliteBackend.shmFile(path).getFileName() + " beside it)";
            case 13 -> "no space left on device";
            case 14 -> "cannot open the file or create " + SqliteBackend.walFile(path).getFileName()
                    + " / " + SqliteBackend.shmFile(path).getFileName()
                    + " beside it: check the permissions of the file and of its directory";
            case 3, 23 -> "permission denied";
            case 10 -> "I/O error (" + sqliteText(e) + ")";
            default -> sqliteText(e);
        };
    }

    /** SQLite's own message without the driver's "[SQLITE_X]" decoration. */
    private static String sqliteText(SQLException e) {
        String m = e.getMessage();
        if (m == null) {
            return "SQLite error " + e.getErrorCode();
        }
        return m.startsWith("[") && m.indexOf("] ") >= 0 ? m.substring(m.indexOf("] ") + 2) : m;
    }
}
