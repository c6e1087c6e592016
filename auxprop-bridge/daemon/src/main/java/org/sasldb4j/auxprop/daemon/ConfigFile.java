package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.sasldb4j.store.FileStat;
import org.sasldb4j.store.SafeDirectories;
import org.sasldb4j.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * sasldb-authd's configuration file: one {@code option = value} per line, named as the long
 * options without {@code --}, {@code #} comment lines, blank lines. A flag option is written
 * alone or as {@code option = true|false}. It supplies picocli's default values, so the
 * command line overrides it and the options' own converters check its values: one source of
 * truth for names and validation.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
    /** Where the daemon looks when {@code --config} is not given; a missing file there is fine. */
    static final Path DEFAULT = Path.of("/etc/sasldb4j/sasldb-authd.conf");

    /** Options that make no sense inside the file itself. */
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("--config", "--check-config", "--help", "--version");

    /** A larger file is not a configuration file (and reading it all would cost memory). */
    private static final long MAX_BYTES = 1 << 20;

    private final Map<String, String> values;

    private ConfigFile(Map<String, String> values) {
        this.values = values;
    }

    /** No file: every option keeps its built-in default. */
    static ConfigFile empty() {
        return new ConfigFile(Map.of());
    }

    /**
     * Reads {@code file}.
     *
     * @param required false for the default path, which may be missing
     * @param probe a fresh command line of the daemon, to check one value with the option's converter
     * @throws IllegalArgumentException one line naming the file, the line and what to do
     */
    static ConfigFile read(Path file, boolean required, Supplier<CommandLine> probe) {
        List<String> lines;
        try {
            if (!required && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return empty();
            }
            file = trusted(file);
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("configuration file " + file + " is larger than 1 MiB;"
                        + " give the right file with --config");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new IllegalArgumentException("configuration file " + file + " does not exist; create it"
                        + " (see docs/sasldb-authd.conf) or give another with --config");
            }
            return empty();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("configuration file " + file + " is not UTF-8 text; fix or replace it");
        } catch (StoreException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration file " + file + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()));
        }
        Map<String, OptionSpec> options = probe.get().getCommandSpec().optionsMap();
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = " (line " + (i + 1) + " of " + file + ")";
            int eq = line.indexOf('=');
            String name = (eq < 0 ? line : line.substring(0, eq)).strip();
            String value = eq < 0 ? null : line.substring(eq + 1).strip();
            String longName = "--" + name;
            OptionSpec option = name.startsWith("-") ? null : options.get(longName);
            if (option == null) {
                throw new IllegalArgumentException("unknown option '" + name + "'" + where + "; see sasldb-authd --help"
                        + (name.startsWith("-") ? " and write option names without the dashes" : ""));
            }
            if (COMMAND_LINE_ONLY.contains(longName)) {
                throw new IllegalArgumentException("option '" + name + "' cannot be set in the configuration file"
                        + where + "; give it on the command line");
            }
            String key = option.longestName();
            value = checked(option, name, value, where, probe);
            if (lineOf.containsKey(key)) {
                if (!option.isMultiValue()) {
                    throw new IllegalArgumentException("option '" + name + "' is given twice" + where + ", first on line "
                            + lineOf.get(key) + "; keep one");
                }
                value = values.get(key) + "," + value;
            }
            values.put(key, value);
            lineOf.put(key, i + 1);
        }
        return new ConfigFile(values);
    }

    /**
     * The real path of {@code file} once nobody but root and the daemon's user can change what it
     * says: its directories pass StrictModes ({@link SafeDirectories}) and the file is theirs and
     * not writable by its group or others. Security: the file chooses the store the daemon
     * answers from; whoever could edit it could log in as anybody.
     *
     * @throws StoreException naming the problem and the fix
     */
    private static Path trusted(Path file) throws IOException {
        SafeDirectories.Location loc = SafeDirectories.locateFollowing(file, "the configuration file " + file);
        Path real = loc.directory().resolve(loc.name());
        FileStat st = FileStat.of(real);
        if (st == null) {
            throw new NoSuchFileException(file.toString());
        }
        if (!st.isRegular()) {
            throw new StoreException("configuration file " + file + " is not a regular file; give a file");
        }
        if (!st.ownedByRootOrUs() || st.writableByOthers()) {
            throw new StoreException("configuration file " + file + " could be changed by another user (owner uid "
                    + st.uid() + ", mode " + st.octal() + "); chown root and chmod go-w it");
        }
        return real;
    }

    /** The value as picocli's default for {@code option}, checked by the option's own converter. */
    private static String checked(OptionSpec option, String name, String value, String where,
            Supplier<CommandLine> probe) {
        boolean flag = option.arity().max() == 0;
        if (flag) {
            String v = value == null ? "true" : value.toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true", "yes" -> "true";
                case "false", "no" -> "false";
                default -> throw new IllegalArgumentException("option '" + name + "' takes true or false, not '"
                        + value + "'" + where);
            };
        }
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("option '" + name + "' needs a value (" + name + " = "
                    + option.paramLabel() + ")" + where);
        }
        try {
            probe.get().parseArgs(option.longestName(), value);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + where + "; see sasldb-authd --help");
        }
        return value;
    }

    /** The options this file sets, by long name, in file order (for tests and messages). */
    Map<String, String> values() {
        return Map.copyOf(values);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        return argSpec instanceof OptionSpec o ? values.get(o.longestName()) : null;
    }

    /**
     * The {@code --config} argument of {@code args} (as picocli would read it: {@code --config
     * FILE} or {@code --config=FILE}, the last one wins), or null; the file must be read before
     * picocli parses the rest, since it supplies their defaults.
     */
    static String configArgument(String[] args) {
        String found = null;
        List<String> list = new ArrayList<>(List.of(args));
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i);
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--config") && i + 1 < list.size()) {
                found = list.get(++i);
            } else if (a.startsWith("--config=")) {
                found = a.substring("--config=".length());
            }
        }
        return found;
    }
}
