package org.sasldb4j.auxprop.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import picocli.CommandLine;

/**
 * {@code --metrics HOST:PORT}: an IP address or host name and a port, e.g. {@code 127.0.0.1:9187}
 * or {@code [::1]:9187}. The host is resolved when the option is read, so a typo fails the start
 * (and {@code --check-config}) with one line instead of listening somewhere unexpected.
 */
final class MetricsAddress implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw bad(value, "give HOST:PORT, e.g. 127.0.0.1:9187");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw bad(value, "write an IPv6 address in brackets, e.g. [::1]:9187");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw bad(value, "the port must be a number");
        }
        if (port < 0 || port > 65535) {
            throw bad(value, "the port must be between 0 and 65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw bad(value, "cannot resolve the host '" + host + "'");
        }
    }

    private static CommandLine.TypeConversionException bad(String value, String what) {
        return new CommandLine.TypeConversionException("'" + value + "': " + what);
    }
}
