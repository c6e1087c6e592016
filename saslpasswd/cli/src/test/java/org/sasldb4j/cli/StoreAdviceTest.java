package org.sasldb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreNotFoundException;

/** The tools print the store's neutral message plus the command that helps, as they always did. */
class StoreAdviceTest {
    private final Path db = Path.of("/tmp/x/sasldb");

    @Test
    void aMissingStoreIsCreatedBySaslpasswd() {
        assertEquals("/tmp/x/sasldb: no such store. Create it by adding a user: saslpasswd -c -f /tmp/x/sasldb USER",
                StoreAdvice.message(new StoreNotFoundException(db)));
    }

    @Test
    void aMissingServerStoreIsNotAdvisedByItsFoldedPath() {
        // A server store's path() is Path.of(its redacted address), which folds the "//".
        String m = StoreAdvice.message(new StoreNotFoundException(Path.of("postgresql://u@db/mail")));
        assertEquals("postgresql:/u@db/mail: no such store. Create it by adding a user: saslpasswd -c -f ADDRESS USER", m);
        // a service name survives Path.of
        assertEquals("service=mail: no such store. Create it by adding a user: saslpasswd -c -f service=mail USER",
                StoreAdvice.message(new StoreNotFoundException(Path.of("service=mail"))));
    }

    @Test
    void aBerkeleyDbFileIsConverted() {
        assertEquals("/tmp/x/sasldb is a Berkeley DB (hash) sasldb2. Convert it with: sasldbconvert /tmp/x/sasldb NEW_STORE",
                StoreAdvice.message(new ForeignFormatException(StoreFormat.BDB_HASH, db,
                        "/tmp/x/sasldb is a Berkeley DB (hash) sasldb2.")));
    }

    @Test
    void aDumpIsImported() {
        assertEquals("d is a db_dump text dump, not a store. Import it with: sasldbconvert /tmp/x/sasldb NEW_STORE",
                StoreAdvice.message(new ForeignFormatException(StoreFormat.DB_DUMP, db,
                        "d is a db_dump text dump, not a store.")));
    }

    @Test
    void otherErrorsAreTheirMessage() {
        assertEquals("no such store", StoreAdvice.message(new StoreNotFoundException("no such store")));
        assertEquals("x is a directory", StoreAdvice.message(
                new ForeignFormatException(StoreFormat.DIRECTORY, db, "x is a directory")));
        assertEquals("StoreException", StoreAdvice.message(new StoreException("")));
    }
}
