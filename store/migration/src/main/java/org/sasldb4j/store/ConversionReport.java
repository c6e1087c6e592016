package org.sasldb4j.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a {@link Conversion} read, copied and skipped. Holds keys and reasons, never a value.
 */
public final class ConversionReport {
    private final StoreFormat sourceFormat;
    private final StoreFormat targetFormat;
    private final long records;
    private final long users;
    private final long realms;
    private final Map<String, Long> properties;
    private final List<String> skipped;
    private final List<String> warnings;
    private final List<String> unreachable;
    private final List<String> dropped;
    private final List<String> changes;
    private final boolean merged;
    private final boolean verified;

    private ConversionReport(Builder b, boolean verified) {
        this.sourceFormat = b.sourceFormat;
        this.targetFormat = b.targetFormat;
        this.records = b.records;
        this.users = b.users;
        this.realms = b.realms.size();
        Map<String, Long> counts = new TreeMap<>();
        b.properties.forEach((name, n) -> counts.put(name, n[0]));
        this.properties = Collections.unmodifiableMap(counts);
        this.skipped = List.copyOf(b.skipped);
        this.warnings = List.copyOf(b.warnings);
        this.unreachable = List.copyOf(b.unreachable);
        this.dropped = List.copyOf(b.dropped);
        this.changes = List.copyOf(b.changes);
        this.merged = b.merged;
        this.verified = verified;
    }

    public StoreFormat sourceFormat() {
        return sourceFormat;
    }

    /** The kind of the target store, or null for a dry run. */
    public StoreFormat targetFormat() {
        return targetFormat;
    }

    /** Records copied (or, in a dry run, that would be copied). */
    public long records() {
        return records;
    }

    /** Distinct (authid, realm) pairs among the copied records. */
    public long users() {
        return users;
    }

    /** Distinct realms among the copied records. */
    public long realms() {
        return realms;
    }

    /** How many copied records carry each property name. */
    public Map<String, Long> properties() {
        return properties;
    }

    /** One line per record or part of the source that was not copied, with the reason. */
    public List<String> skipped() {
        return skipped;
    }

    /** Things the user should know that did not stop the conversion. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * One line per user no login can reach (empty user name, white space at the edges) that was
     * copied: the administrator's data is kept, and named.
     */
    public List<String> unreachable() {
        return unreachable;
    }

    /** One line per record left out on request ({@code --drop-unreachable}). */
    public List<String> dropped() {
        return dropped;
    }

    /** For a merge: one line per user added, replaced or kept (names and counts, never a value). */
    public List<String> changes() {
        return changes;
    }

    /**
     * True if the source was merged into a target that had records: then {@link #records()} and
     * the other counts describe the source's users as the target holds them afterwards (added,
     * replaced and unchanged users; not those whose target records were kept).
     */
    public boolean merged() {
        return merged;
    }

    /** True if the target was written, read back and matched. */
    public boolean verified() {
        return verified;
    }

    static final class Builder {
        private StoreFormat sourceFormat;
        private StoreFormat targetFormat;
        private long records;
        private long users;
        private final Set<java.nio.ByteBuffer> realms = new HashSet<>();
        private final Map<String, long[]> properties = new TreeMap<>();
        private Entry last;
        private long[] lastPropertyCount;
        private final List<String> skipped = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private final Set<String> unreachable = new LinkedHashSet<>();
        private final List<String> dropped = new ArrayList<>();
        private final List<String> changes = new ArrayList<>();
        private boolean merged;

        void sourceFormat(StoreFormat f) {
            sourceFormat = f;
        }

        void targetFormat(StoreFormat f) {
            targetFormat = f;
        }

        /** Counts a copied record; records come in key order, so a user's records are adjacent. */
        void count(Entry e) {
            records++;
            if (last == null || !e.sameUser(last)) {
                users++;
                realms.add(e.realmView());
            }
            if (last == null || !e.sameProperty(last)) {
                lastPropertyCount = properties.computeIfAbsent(e.property(), p -> new long[1]);
            }
            lastPropertyCount[0]++;
            last = e;
        }

        /** Forgets the counted records (skips and warnings stay), to count again. */
        void resetCounts() {
            records = 0;
            users = 0;
            realms.clear();
            properties.clear();
            last = null;
            lastPropertyCount = null;
        }

        void skip(String reason) {
            skipped.add(reason);
        }

        void warn(String warning) {
            warnings.add(warning);
        }

        /** Notes a user no login can reach; each user once, however many records it has. */
        void unreachable(String line) {
            unreachable.add(line);
        }

        void drop(String line) {
            dropped.add(line);
        }

        void change(String line) {
            changes.add(line);
        }

        void merged() {
            merged = true;
        }

        /** Forgets skips, unreachable ids and drops (a retried transaction reads the source again). */
        void clearNotes() {
            skipped.clear();
            unreachable.clear();
            dropped.clear();
        }

        /** Adds another builder's skips, unreachable ids and drops to these. */
        void addNotes(Builder other) {
            skipped.addAll(other.skipped);
            unreachable.addAll(other.unreachable);
            dropped.addAll(other.dropped);
        }

        ConversionReport build(boolean verified) {
            return new ConversionReport(this, verified);
        }
    }
}
