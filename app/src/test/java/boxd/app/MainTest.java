package boxd.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import boxd.app.config.Option;

class MainTest {
    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommands() {
        for (String[] a : new String[][] {{}, {"--help"}, {"help"}, {"-h"}}) {
            Run r = run(a);
            assertEquals(0, r.status());
            for (String c : new String[] {"serve", "doctor", "image build", "image list", "vmm run", "version"}) {
                assertTrue(r.out().contains(c), c + " in " + r.out());
            }
        }
    }

    @Test
    void serveHelpListsEverySetting() {
        Run r = run("serve", "--help");
        assertEquals(0, r.status());
        for (Option o : Option.values()) assertTrue(r.out().contains("--" + o.key()), o.key());
        assertTrue(r.out().contains("(default: 2222)"));
        assertEquals(r.out(), run("help", "serve").out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"doctor", "image", "vmm", "version"}) {
            Run r = run("help", c);
            assertEquals(0, r.status(), c);
            assertTrue(r.out().startsWith("usage: boxd " + c), r.out());
            assertEquals(0, run(c, "--help").status(), c);
        }
    }

    @Test
    void anUnknownCommandExitsTwoWithAHint() {
        Run r = run("serv");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown command 'serv'"), r.err());
        assertTrue(r.err().contains("did you mean serve?"), r.err());
        assertEquals(2, run("image").status());
        assertEquals(2, run("image", "bake").status());
        assertEquals(2, run("serve", "--no-such-flag").status());
        assertEquals(2, run("--ssh-port", "2300", "dance").status());
    }

    @Test
    void versionPrintsTheProjectVersion() {
        Run r = run("version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("boxd "), r.out());
    }
}
