package org.sasldb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GetoptTest {
    private static final String SPEC = "vpcdnf:u:a:h?";
    private static final Map<String, Boolean> LONG = Map.of("--batch", true, "--json", false);

    private static List<Getopt.Event> scan(String... args) {
        return Getopt.scan(args, SPEC, LONG);
    }

    @Test
    void permutesClustersAndTakesArgumentsLikeGlibc() {
        assertEquals(List.of(new Getopt.Operand("alice"), new Getopt.Flag('p', null), new Getopt.Flag('c', null),
                new Getopt.Flag('u', "-p"), new Getopt.Flag('f', "db")),
                scan("alice", "-pc", "-u", "-p", "-fdb"));
    }

    @Test
    void emptyArgumentAndEndOfOptions() {
        assertEquals(List.of(new Getopt.Flag('u', ""), new Getopt.Operand("-x"), new Getopt.Operand("-")),
                scan("-u", "", "--", "-x", "-"));
    }

    @Test
    void reportsInvalidAndMissingWithGlibcMessages() {
        List<Getopt.Event> e = scan("-px", "-f");
        assertEquals(List.of(new Getopt.Flag('p', null), new Getopt.Invalid('x'), new Getopt.MissingArgument('f')), e);
        assertEquals("saslpasswd2: invalid option -- 'x'", Getopt.message("saslpasswd2", e.get(1)));
        assertEquals("saslpasswd2: option requires an argument -- 'f'", Getopt.message("saslpasswd2", e.get(2)));
        assertNull(Getopt.message("p", e.get(0)));
    }

    @Test
    void longOptions() {
        assertEquals(List.of(new Getopt.LongOption("--batch", "f", false), new Getopt.LongOption("--batch", "g", false),
                new Getopt.LongOption("--json", null, false)), scan("--batch", "f", "--batch=g", "--json"));
        List<Getopt.Event> bad = scan("--nope", "--json=1", "--batch");
        assertEquals("p: unrecognized option '--nope'", Getopt.message("p", bad.get(0)));
        assertEquals("p: option '--json' doesn't allow an argument", Getopt.message("p", bad.get(1)));
        assertEquals("p: option '--batch' requires an argument", Getopt.message("p", bad.get(2)));
    }

    @Test
    void questionMarkIsAnOptionNotAnError() {
        assertEquals(List.of(new Getopt.Flag('?', null)), scan("-?"));
    }
}
