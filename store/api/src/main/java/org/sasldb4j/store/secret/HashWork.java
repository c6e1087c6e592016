package org.sasldb4j.store.secret;

import java.util.concurrent.atomic.LongAdder;

/**
 * Work done by this process's password hashes, counted where it is done: Argon2id memory-passes
 * (KiB of memory times passes) and PBKDF2 iterations (SCRAM's {@code Hi()}). Tests compare the work
 * of two code paths with these counts instead of timing them: a clock on a shared machine proves
 * little, a count proves that the same hashes ran. Two additions per hash cost nothing next to the
 * hash itself.
 */
final class HashWork {
    /** Sum over every Argon2id computation of its memory cost (KiB) times its passes. */
    static final LongAdder ARGON2_KIB_PASSES = new LongAdder();
    /** Sum over every {@code Hi()} computation of its iteration count. */
    static final LongAdder PBKDF2_ITERATIONS = new LongAdder();

    private HashWork() {}
}
