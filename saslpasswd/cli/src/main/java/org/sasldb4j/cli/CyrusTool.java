package org.sasldb4j.cli;

import java.util.List;

/**
 * A command that takes a Cyrus tool's command line (its getopt options, in getopt order) plus
 * sasldb4j's long options. The command object is also its picocli model.
 */
public interface CyrusTool {

    /**
     * Cyrus's own handling, in getopt order: version, usage, glibc's error messages.
     *
     * @return the exit status if the run ends here, null to go on
     */
    Integer cyrusCommandLine(List<Getopt.Event> events);

    /** Takes the options from a command line without long options (the Cyrus tool's own). */
    void takeCyrusOptions(List<Getopt.Event> events);
}
