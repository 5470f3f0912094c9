package io.liftline.service.edge;

import io.liftline.model.LiftRide;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys of both services: a file of {@code <sha256 hex of the key> <client> <resortIDs: * or a,b> [<scopes>]} lines
 * ({@code #} comments), re-read when it changes. Only hashes are stored: the file never holds a key. The scopes say
 * what the key is for: {@code ingest} (post rides: a scanner's), {@code read} (query: an analyst's), or both as
 * {@code ingest,read}; a line without scopes is {@code ingest}, as every key was before keys had scopes.
 *
 * <p>A presented key is hashed and looked up by its hash, then the two hashes are compared with
 * {@link MessageDigest#isEqual} (constant time): what timing could tell is about a SHA-256 hash, not the key.
 */
public final class ApiKeys {

    /** What a key lets its client do. */
    public enum Scope {
        /** Post rides to the ingest API. */
        INGEST("ingest", "post rides"),
        /** Ask the read API. */
        READ("read", "read");

        private final String word;
        private final String may;

        Scope(String word, String may) {
            this.word = word;
            this.may = may;
        }

        /** As written in the keys file. */
        public String word() {
            return word;
        }

        /** What it allows, as in "may not post rides". */
        public String may() {
            return may;
        }

        static Scope of(String word) {
            for (Scope scope : values()) {
                if (scope.word.equals(word)) {
                    return scope;
                }
            }
            return null;
        }
    }

    /**
     * A client: its name, the resorts it may post rides for or read about (empty: every resort), and its scopes.
     */
    public record Client(String name, Set<Integer> resorts, Set<Scope> scopes) {
        public Client(String name, Set<Integer> resorts) {
            this(name, resorts, Set.of(Scope.INGEST));
        }

        public boolean covers(int resortId) {
            return resorts.isEmpty() || resorts.contains(resortId);
        }

        public boolean may(Scope scope) {
            return scopes.contains(scope);
        }

        /** Its scopes as written in the keys file: "ingest", "read" or "ingest,read". */
        public String scopeWords() {
            return String.join(",", scopes.stream().sorted().map(Scope::word).toList());
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CLIENT = LiftRide.CLIENT_NAME;
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;
    private static final String BEARER = "bearer ";

    private record Entry(byte[] hash, Client client) {}

    private final Path file;
    private volatile Map<String, Entry> byHash;
    private volatile FileTime modified;
    private volatile long size;
    private volatile long nextCheck;

    private ApiKeys(Path file, Map<String, Entry> byHash, FileTime modified, long size) {
        this.file = file;
        this.byHash = byHash;
        this.modified = modified;
        this.size = size;
        this.nextCheck = System.nanoTime() + CHECK_INTERVAL_NANOS;
    }

    /** Reads the file; a line it cannot read fails the start, saying which. */
    public static ApiKeys load(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        return new ApiKeys(file, parse(Files.readAllLines(file, StandardCharsets.UTF_8), file), modified, size);
    }

    /** How many keys the file holds now. */
    public int size() {
        return byHash.size();
    }

    /** The client of an {@code Authorization: Bearer <key>} header, or null for none or an unknown key. */
    public Client authenticate(String authorization) {
        reloadIfChanged();
        if (authorization == null
                || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        byte[] hash = sha256(authorization.substring(BEARER.length()).strip());
        Entry entry = byHash.get(HexFormat.of().formatHex(hash));
        return entry != null && MessageDigest.isEqual(entry.hash(), hash) ? entry.client() : null;
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        synchronized (this) {
            if (now - nextCheck < 0) {
                return;
            }
            nextCheck = now + CHECK_INTERVAL_NANOS;
            try {
                FileTime m = Files.getLastModifiedTime(file);
                long s = Files.size(file);
                if (m.equals(modified) && s == size) {
                    return;
                }
                Map<String, Entry> next = parse(Files.readAllLines(file, StandardCharsets.UTF_8), file);
                modified = m;
                size = s;
                byHash = next;
                log.info("API keys reloaded from {}: {} keys", file, next.size());
            } catch (IOException | IllegalArgumentException e) {
                // Keep the keys that work rather than lock every scanner out over a bad edit.
                log.warn(
                        "API keys file {} not reloaded, keeping the {} keys in use: {}",
                        file,
                        byHash.size(),
                        e.getMessage());
            }
        }
    }

    static Map<String, Entry> parse(List<String> lines, Path file) {
        Map<String, Entry> keys = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1) + ": ";
            String[] fields = line.split("\\s+");
            if (fields.length != 3 && fields.length != 4) {
                throw new IllegalArgumentException(
                        where + "expected '<sha256 hex of the key> <client> <resortIDs: * or a,b> "
                                + "[<scopes: ingest, read or ingest,read>]'");
            }
            String hash = fields[0].toLowerCase(java.util.Locale.ROOT);
            if (!HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException(
                        where + "the first field must be the 64 hex digits of the key's SHA-256");
            }
            if (!CLIENT.matcher(fields[1]).matches()) {
                throw new IllegalArgumentException(where + "the client name must be 1..64 of A-Z a-z 0-9 . _ -");
            }
            Set<Integer> resorts = new TreeSet<>();
            if (!fields[2].equals("*")) {
                for (String resort : fields[2].split(",")) {
                    try {
                        resorts.add(Integer.parseInt(resort));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                where + "resortIDs must be * or a comma list of numbers, was '" + fields[2] + "'");
                    }
                }
            }
            Set<Scope> scopes = java.util.EnumSet.noneOf(Scope.class);
            for (String word : (fields.length == 4 ? fields[3] : Scope.INGEST.word()).split(",")) {
                Scope scope = Scope.of(word);
                if (scope == null) {
                    throw new IllegalArgumentException(
                            where + "scopes must be ingest, read or ingest,read, was '" + fields[3] + "'");
                }
                scopes.add(scope);
            }
            if (keys.put(
                            hash,
                            new Entry(
                                    HexFormat.of().parseHex(hash),
                                    new Client(fields[1], Set.copyOf(resorts), Set.copyOf(scopes))))
                    != null) {
                throw new IllegalArgumentException(where + "the same key is listed twice");
            }
        }
        return Map.copyOf(keys);
    }

    /** The SHA-256 of a key: what the keys file holds. */
    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return byHash.size() + " API keys from " + file; // never a key, never a hash
    }
}
