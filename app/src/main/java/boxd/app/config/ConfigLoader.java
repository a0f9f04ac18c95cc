package boxd.app.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import boxd.common.DataDir;

/**
 * Merges the settings: command-line flags win over {@code DATA/boxd.toml}, which wins over the embedded defaults.
 * Every value is checked (ports 1-65535, zone a domain name, CIDR an IPv4 prefix, choices from their list); unknown
 * flags and unknown boxd.toml keys are rejected with the list of known ones.
 */
public final class ConfigLoader {
    private final Function<Path, Optional<String>> readFile;
    private final Path defaultData;

    /**
     * @param readFile    reads boxd.toml (empty when it does not exist); tests pass canned contents
     * @param defaultData the data directory when --data is not given
     */
    public ConfigLoader(Function<Path, Optional<String>> readFile, Path defaultData) {
        this.readFile = readFile;
        this.defaultData = defaultData;
    }

    /** Reads the real file system and the real default data directory. */
    public static ConfigLoader forHost() {
        return new ConfigLoader(ConfigLoader::readIfExists, DataDir.defaultRoot());
    }

    /** Flags parsed off the front of an argument list, and what followed them. */
    public record Flags(Map<Option, String> values, List<String> rest) {}

    /**
     * Parses {@code --NAME VALUE} / {@code --NAME=VALUE} flags. With {@code stopAtFirstWord} parsing stops at the
     * first argument that is not a flag (what follows belongs to a verb); otherwise any extra word is an error.
     */
    public static Flags parseFlags(List<String> args, boolean stopAtFirstWord) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.equals("--")) {
                if (stopAtFirstWord) {
                    rest.addAll(args.subList(i, args.size()));
                    break;
                }
                throw new UsageException("unexpected argument '" + a + "' (settings are flags: --NAME VALUE)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            String flagName = name;
            Option o = Option.byKey(name).orElseThrow(() -> new UsageException("unknown flag --" + flagName
                    + "; known flags: --" + String.join(", --", allKeys())));
            if (value == null) {
                if (o.kind() == Option.Kind.BOOL && (i + 1 >= args.size() || !isBool(args.get(i + 1)))) {
                    value = "true"; // a bare --egress means true
                } else {
                    if (i + 1 >= args.size()) throw new UsageException("--" + name + " needs a value: --" + name + " " + o.metavar());
                    value = args.get(++i);
                }
            }
            if (values.containsKey(o)) throw new UsageException("--" + name + " is given twice");
            values.put(o, value);
        }
        return new Flags(values, rest);
    }

    /** Merges flags over boxd.toml (from the data directory the flags name) over the defaults. */
    public BoxdConfig load(Map<Option, String> flags) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        Map<Option, String> sources = new EnumMap<>(Option.class);
        for (Option o : Option.values()) {
            if (o.defaultValue() != null) {
                values.put(o, o.defaultValue());
                sources.put(o, "default");
            }
        }
        values.put(Option.DATA, defaultData.toString());
        sources.put(Option.DATA, "default");
        if (flags.containsKey(Option.DATA)) {
            values.put(Option.DATA, check(Option.DATA, flags.get(Option.DATA), "--data"));
            sources.put(Option.DATA, "flag");
        }
        Path toml = new DataDir(Path.of(values.get(Option.DATA))).configFile();
        Optional<String> text = readFile.apply(toml);
        if (text.isPresent()) {
            Map<String, Object> file;
            try {
                file = Toml.parse(text.get(), toml.toString());
            } catch (Toml.ParseException e) {
                throw new UsageException(e.getMessage(), 1);
            }
            for (Map.Entry<String, Object> e : file.entrySet()) {
                Option o = Option.byKey(e.getKey()).filter(Option::inToml).orElseThrow(() -> new UsageException(
                        toml + ": unknown key '" + e.getKey() + "'; known keys: " + String.join(", ", Option.tomlKeys()), 1));
                Object v = e.getValue();
                boolean typeOk = switch (o.kind()) {
                    case PORT -> v instanceof Long;
                    case BOOL -> v instanceof Boolean;
                    default -> v instanceof String;
                };
                if (!typeOk) {
                    String want = switch (o.kind()) {
                        case PORT -> "an integer";
                        case BOOL -> "true or false";
                        default -> "a quoted string";
                    };
                    throw new UsageException(toml + ": " + o.key() + " must be " + want + ", got " + v, 1);
                }
                try {
                    values.put(o, check(o, String.valueOf(v), o.key() + " in " + toml));
                } catch (UsageException bad) {
                    throw new UsageException(bad.getMessage(), 1);
                }
                sources.put(o, "boxd.toml");
            }
        }
        for (Map.Entry<Option, String> f : flags.entrySet()) {
            if (f.getKey() == Option.DATA) continue;
            values.put(f.getKey(), check(f.getKey(), f.getValue(), "--" + f.getKey().key()));
            sources.put(f.getKey(), "flag");
        }
        return BoxdConfig.of(values, sources);
    }

    /** Checks one value; returns it normalised. @throws UsageException naming {@code where} */
    static String check(Option o, String v, String where) {
        String value = v.strip();
        switch (o.kind()) {
            case PORT -> {
                int port;
                try {
                    port = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new UsageException(where + " must be a port number (1-65535), got '" + v + "'");
                }
                if (port < 1 || port > 65535) throw new UsageException(where + " must be 1-65535, got " + port);
                return Integer.toString(port);
            }
            case BOOL -> {
                if (!isBool(value)) throw new UsageException(where + " must be true or false, got '" + v + "'");
                return value;
            }
            case CHOICE -> {
                String lower = value.toLowerCase(java.util.Locale.ROOT);
                if (!o.choices().contains(lower)) {
                    throw new UsageException(where + " must be one of " + String.join(", ", o.choices()) + ", got '" + v + "'");
                }
                return lower;
            }
            case DOMAIN -> {
                String lower = value.toLowerCase(java.util.Locale.ROOT);
                if (lower.endsWith(".")) lower = lower.substring(0, lower.length() - 1);
                if (!lower.matches("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
                        || lower.length() > 253) {
                    throw new UsageException(where + " must be a domain name such as boxd.local, got '" + v + "'");
                }
                return lower;
            }
            case CIDR -> {
                checkCidr(value, where);
                return value;
            }
            case PATH -> {
                if (value.isEmpty()) throw new UsageException(where + " must be a directory path");
                return value;
            }
            case STRING -> {
                return value;
            }
            case ROLES -> {
                java.util.List<String> named = new java.util.ArrayList<>();
                for (String r : value.toLowerCase(java.util.Locale.ROOT).split(",", -1)) {
                    String role = r.strip();
                    if (!Option.ROLE_NAMES.contains(role) || named.contains(role))
                        throw new UsageException(where + " lists roles among " + String.join(", ", Option.ROLE_NAMES)
                                + ", each once, separated by commas; got '" + v + "'");
                    named.add(role);
                }
                return String.join(",", Option.ROLE_NAMES.stream().filter(named::contains).toList());
            }
        }
        throw new AssertionError(o);
    }

    private static void checkCidr(String v, String where) {
        String bad = where + " must be an IPv4 prefix such as 10.77.0.0/16 (prefix length 8-30), got '" + v + "'";
        String[] parts = v.split("/");
        if (parts.length != 2) throw new UsageException(bad);
        String[] octets = parts[0].split("\\.");
        if (octets.length != 4) throw new UsageException(bad);
        long addr = 0;
        try {
            for (String o : octets) {
                int x = Integer.parseInt(o);
                if (x < 0 || x > 255) throw new UsageException(bad);
                addr = addr << 8 | x;
            }
            int len = Integer.parseInt(parts[1]);
            if (len < 8 || len > 30) throw new UsageException(bad);
            long hostMask = (1L << (32 - len)) - 1;
            if ((addr & hostMask) != 0) {
                throw new UsageException(where + ": " + v + " has host bits set; write the network address");
            }
        } catch (NumberFormatException e) {
            throw new UsageException(bad);
        }
    }

    private static boolean isBool(String s) {
        return s.equals("true") || s.equals("false");
    }

    private static List<String> allKeys() {
        return java.util.Arrays.stream(Option.values()).map(Option::key).toList();
    }

    private static Optional<String> readIfExists(Path p) {
        try {
            return Optional.of(Files.readString(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
