package org.sasldb4j.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** The db_dump text files the conversion tests read: one writer, so every test feeds the same format. */
final class DbDumpText {
    private DbDumpText() {}

    /**
     * Writes a db_dump text (bytevalue, hash) of key/value pairs to {@code file}; keys are written
     * with Java NUL escapes between their parts.
     */
    static Path write(Path file, String... keysAndValues) throws IOException {
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            sb.append(' ').append(hex.formatHex(keysAndValues[i].getBytes(StandardCharsets.UTF_8)))
                    .append("\n ").append(hex.formatHex(keysAndValues[i + 1].getBytes(StandardCharsets.UTF_8)))
                    .append('\n');
        }
        Files.writeString(file, sb.append("DATA=END\n").toString());
        return file;
    }
}
