package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaTest {

    /** schema-1.sql splits at lines ';;' only: function bodies keep their ';'. */
    @Test
    void theScriptSplitsIntoWholeStatements() {
        List<String> statements = Schema.statements("schema-1.sql");
        assertEquals(13, statements.size(), statements.toString());
        assertTrue(statements.get(0).endsWith("CREATE SCHEMA IF NOT EXISTS sasldb4j"), statements.get(0));
        for (String s : statements) {
            assertTrue(s.lines().noneMatch(l -> l.strip().equals(";;")), s);
            assertFalse(s.isBlank());
        }
        String logChange = statements.stream().filter(s -> s.contains("FUNCTION sasldb4j.log_change()")).findFirst()
                .orElseThrow();
        assertTrue(logChange.contains("pg_advisory_xact_lock(" + Schema.WRITE_LOCK + ");"), logChange);
        assertTrue(logChange.strip().endsWith("$$"), logChange);
    }
}
