package org.sasldb4j.auxprop.daemon;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code 500ms}, {@code 2s}, {@code 15m}, {@code 1h}, or a bare number of seconds. */
final class Durations implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value.trim();
        try {
            if (v.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), value);
            }
            long n;
            char unit = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
            switch (unit) {
                case 's' -> n = Long.parseLong(v.substring(0, v.length() - 1));
                case 'm' -> n = Long.parseLong(v.substring(0, v.length() - 1)) * 60;
                case 'h' -> n = Long.parseLong(v.substring(0, v.length() - 1)) * 3600;
                default -> n = Long.parseLong(v);
            }
            return nonNegative(Duration.ofSeconds(n), value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 2s, 15m, 1h)");
        }
    }

    private static Duration nonNegative(Duration d, String value) {
        if (d.isNegative()) {
            throw new TypeConversionException("'" + value + "' is negative");
        }
        return d;
    }
}
