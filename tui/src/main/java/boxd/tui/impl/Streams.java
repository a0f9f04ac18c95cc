package boxd.tui.impl;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Stream wrappers handed to verbs: closing them leaves the session's streams open. */
final class Streams {
    private Streams() {}

    static PrintStream print(OutputStream out) {
        return new PrintStream(new FilterOutputStream(out) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void close() throws IOException { out.flush(); }
        }, true, StandardCharsets.UTF_8);
    }

    static InputStream input(InputStream in) {
        return new FilterInputStream(in) {
            @Override public void close() {}
        };
    }

    static final InputStream EMPTY = InputStream.nullInputStream();
}
