package org.sasldb4j.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
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

        ConversionReport build(boolean verified) {
            return new ConversionReport(this, verified);
        }
    }
}
