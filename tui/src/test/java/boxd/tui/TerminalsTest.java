package boxd.tui;

import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Terminal;
import boxd.tui.testing.VirtualTerminal;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

class TerminalsTest {

    @Test
    void ptyModesOverlayTheDefaults() {
        Attributes a = Terminals.attributesFromPtyModes(Map.of(
                "VINTR", 7, "ECHO", 0, "ICRNL", 1, "ONLCR", 0, "TTY_OP_ISPEED", 38400, "NOT_A_MODE", 1));
        assertEquals(7, a.getControlChar(ControlChar.VINTR));
        assertFalse(a.getLocalFlag(LocalFlag.ECHO));
        assertTrue(a.getLocalFlag(LocalFlag.ISIG), "kept from the defaults");
        assertTrue(a.getInputFlag(InputFlag.ICRNL));
        assertFalse(a.getOutputFlag(OutputFlag.ONLCR));
        assertEquals(4, a.getControlChar(ControlChar.VEOF));
    }

    @Test
    void relayModePassesCtrlCThroughAsAByteAndIsUndone() throws Exception {
        try (VirtualTerminal vt = new VirtualTerminal("xterm-256color", 80, 24)) {
            Terminal t = vt.terminal();
            List<Terminal.Signal> signals = new CopyOnWriteArrayList<>();
            t.handle(Terminal.Signal.INT, signals::add);
            String before = t.getAttributes().toString();
            Attributes previous = Terminals.enterRelayMode(t);
            vt.type("\003\r");
            assertEquals(3, t.input().read());
            assertEquals('\r', t.input().read(), "no CR to NL mapping");
            assertEquals(List.of(), signals);
            t.output().write("a\nb".getBytes());
            t.output().flush();
            assertEquals("a\nb", vt.output(), "no NL to CR NL on output");
            t.setAttributes(previous);
            assertEquals(before, t.getAttributes().toString());
            vt.type("\003");
            long end = System.nanoTime() + 5_000_000_000L;
            while (signals.isEmpty() && System.nanoTime() < end) Thread.sleep(10);
            assertEquals(List.of(Terminal.Signal.INT), signals, "signals are back after restoring");
        }
    }

    @Test
    void openGivesAJavaLineDisciplineTerminalOfTheClientsSizeAndType() throws Exception {
        try (Terminal t = Terminals.open(InputStream.nullInputStream(), new ByteArrayOutputStream(), "xterm-kitty",
                132, 43, null)) {
            assertEquals("xterm-256color", t.getType());
            assertEquals(132, t.getWidth());
            assertEquals(43, t.getHeight());
            assertTrue(t.getAttributes().getLocalFlag(LocalFlag.ISIG));
            assertEquals("org.jline.terminal.impl.ExternalTerminal", t.getClass().getName(),
                    "not a server-side PTY");
            assertTrue(Terminals.supportsColor(t));
            assertTrue(Terminals.isFullScreenCapable(t));
        }
        try (Terminal t = Terminals.open(InputStream.nullInputStream(), new ByteArrayOutputStream(), null, 80, 24,
                null)) {
            assertFalse(Terminals.supportsColor(t));
            assertFalse(Terminals.isFullScreenCapable(t));
        }
    }
}
