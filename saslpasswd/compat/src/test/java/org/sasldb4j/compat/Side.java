package org.sasldb4j.compat;

/** The two sides of a comparison: the real Cyrus tools and ours. */
enum Side {
    CYRUS("cyrus"),
    OURS("ours");

    private final String word;

    Side(String word) {
        this.word = word;
    }

    String word() {
        return word;
    }

    /** The side a case line names, or null when the word is not a side. */
    static Side of(String word) {
        for (Side s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        return null;
    }
}
