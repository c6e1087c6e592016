package org.sasldb4j.compat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of {@code cases.txt}: what to prepare, the command compared on both sides, and the
 * checks, grouped by label (the names the checks had in the old scripts/compat.sh).
 */
final class CompatCase {

    /** What a case expects, as the docs describe it. */
    enum Kind {
        /** ours behaves as Cyrus: outputs and exit codes compared after normalisation */
        SAME("same"),
        /** Cyrus's behaviour is pinned by recorded output (catches drift of the real tool); ours matches it */
        CYRUS_IS("cyrus-is"),
        /** a deliberate difference; the case names its row of docs/compatibility.md */
        DIFFERS("differs");

        final String word;

        Kind(String word) {
            this.word = word;
        }

        static Kind of(String word) {
            for (Kind k : values()) {
                if (k.word.equals(word)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A preparation step, run in file order before the compared command. */
    record Step(String op, Side side, List<Word> args, int line) {
    }

    /** An assertion about the outcome; {@code args} are its words after the assertion name. */
    record Check(String label, String assertion, List<Word> args, int line) {
    }

    final String name;
    final int line;
    Kind kind;
    String docs;
    final List<Step> steps = new ArrayList<>();
    /** the compared command per side (both sides for most cases) */
    final Map<Side, List<Word>> runs = new EnumMap<>(Side.class);
    /** stdin of the compared command; null means /dev/null */
    byte[] stdin;
    /** stdin written in pieces with a pause between them (null: not in pieces) */
    List<byte[]> stdinPieces;
    final Map<String, String> env = new LinkedHashMap<>();
    /** the two answers to the password prompts; the command then runs on a terminal */
    byte[][] tty;
    /** files the command may read but not write */
    final List<String> readOnly = new ArrayList<>();
    final Map<Side, Integer> timeoutSeconds = new EnumMap<>(Side.class);
    final List<Check> checks = new ArrayList<>();

    CompatCase(String name, int line) {
        this.name = name;
        this.line = line;
    }

    /** The checks grouped by label, in the order of their first appearance. */
    Map<String, List<Check>> checksByLabel() {
        Map<String, List<Check>> groups = new LinkedHashMap<>();
        for (Check c : checks) {
            groups.computeIfAbsent(c.label(), k -> new ArrayList<>()).add(c);
        }
        return groups;
    }

    @Override
    public String toString() {
        return name;
    }
}
