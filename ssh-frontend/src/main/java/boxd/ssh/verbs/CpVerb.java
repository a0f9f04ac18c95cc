package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.common.Names;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code cp - NAME:PATH} (stdin into the box) and {@code cp NAME:PATH -} (the file to stdout). */
final class CpVerb implements Verb {
    @Override public String name() { return "cp"; }

    @Override public String usage() { return "cp - NAME:PATH | cp NAME:PATH -"; }

    @Override public String summary() { return "copy stdin into a box, or a file of a box to stdout"; }

    @Override public String details() {
        return "Upload: ssh HOST cp - web:app.tar < app.tar. Download: ssh HOST cp web:app.tar - > app.tar."
                + " Relative paths are in the home of user boxd.";
    }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(2, 2); }

    @Override
    public int run(Args a, VerbContext ctx) throws Exception {
        String src = a.arg(0);
        String dst = a.arg(1);
        boolean upload = src.equals("-") && dst.contains(":");
        boolean download = dst.equals("-") && src.contains(":");
        if (!upload && !download) {
            throw new UsageException("cp copies between stdin/stdout ('-') and a box path (NAME:PATH)",
                    "upload: cp - web:app.tar < app.tar; download: cp web:app.tar - > app.tar");
        }
        String remote = upload ? dst : src;
        String name = remote.substring(0, remote.indexOf(':'));
        String path = remote.substring(remote.indexOf(':') + 1);
        Names.requireLabel("box name", name);
        if (path.isEmpty()) throw new UsageException("cp needs a path after '" + name + ":'", "e.g. " + name + ":app.tar");
        Box box = ctx.runningBox(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("box", box.name());
        m.put("path", path);
        if (upload) {
            long n = ctx.relay().upload(box, path, ctx.in(), ctx.rawErr());
            m.put("bytes", n);
            if (a.json()) ctx.json(m);
            else ctx.println("copied " + n + " bytes to " + box.name() + ":" + path);
        } else if (a.json()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            long n = ctx.relay().download(box, path, buf, ctx.rawErr());
            m.put("bytes", n);
            m.put("data_base64", Base64.getEncoder().encodeToString(buf.toByteArray()));
            ctx.json(m);
        } else {
            ctx.relay().download(box, path, ctx.rawOut(), ctx.rawErr());
        }
        return 0;
    }
}
