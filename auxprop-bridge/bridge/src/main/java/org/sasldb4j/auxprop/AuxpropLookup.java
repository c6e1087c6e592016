package org.sasldb4j.auxprop;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The answer to one auxprop lookup: a Cyrus return code and the values found, under the
 * <em>requested</em> names (with their {@code *} where one was given), as libsasl's propctx.
 *
 * <p><b>Security:</b> values may be passwords. {@link #value} returns copies; {@link #close()}
 * wipes the values held here. {@link #toString()} shows the code and names only.
 */
public final class AuxpropLookup implements AutoCloseable {

    /** The subset of Cyrus return codes a sasldb lookup produces. */
    public enum Status {
        /** {@code SASL_OK}: the user exists (or nothing was asked; or an authzid lookup). */
        OK,
        /** {@code SASL_NOUSER}: none of the requested authid properties, nor userPassword. */
        NOUSER
    }

    private final Status status;
    private final Map<String, byte[]> values;

    AuxpropLookup(Status status, LinkedHashMap<String, byte[]> values) {
        this.status = status;
        this.values = values;
    }

    public Status status() {
        return status;
    }

    /** The requested names that got a value, in request order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** A copy of the value found for {@code requestedName} (exactly as requested). */
    public Optional<byte[]> value(String requestedName) {
        byte[] v = values.get(requestedName);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** Overwrites every value held. */
    @Override
    public void close() {
        for (byte[] v : values.values()) {
            Arrays.fill(v, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "AuxpropLookup[" + status + ", " + values.keySet() + "]";
    }
}
