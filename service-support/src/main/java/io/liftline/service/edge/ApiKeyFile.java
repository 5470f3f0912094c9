package io.liftline.service.edge;

import io.liftline.model.LiftRide;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys file as an operator changes it ({@code liftline-ops api-key new|list|revoke}): a key made, printed
 * once and only its hash stored; the clients listed; a client's keys revoked. Every change leaves a file that
 * {@link ApiKeys} reads, and the services pick it up within a second, without a restart.
 */
public final class ApiKeyFile {

    /** A line of the file as it lists a client: its name, its resorts as written ({@code *} or {@code 3,4}), scopes. */
    public record Line(String client, String resorts, String scopes) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern RESORTS = Pattern.compile("\\*|[0-9]+(,[0-9]+)*");
    private static final Pattern SCOPES = Pattern.compile("(ingest|read)(,(ingest|read))?");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ApiKeyFile() {}

    /**
     * Makes a fresh random key for a client and appends its hash to the file (made, readable by its owner only,
     * when missing).
     *
     * @param resorts {@code *} or a comma list such as {@code 3,4}
     * @param scopes {@code ingest} (a scanner's), {@code read} (an analyst's) or {@code ingest,read}
     * @return the key, which is nowhere else: the file holds its hash
     * @throws IllegalArgumentException naming what is wrong with the client, the resorts or the scopes
     */
    public static String add(Path file, String client, String resorts, String scopes) throws IOException {
        if (!LiftRide.CLIENT_NAME.matcher(client).matches()) {
            throw new IllegalArgumentException(
                    "the client name must be 1..64 of A-Z a-z 0-9 . _ -, was '" + client + "'");
        }
        if (!RESORTS.matcher(resorts).matches()) {
            throw new IllegalArgumentException(
                    "resortIDs must be * or a comma list of numbers such as 3,4, was '" + resorts + "'");
        }
        if (!SCOPES.matcher(scopes).matches()) {
            throw new IllegalArgumentException("scopes must be ingest, read or ingest,read, was '" + scopes + "'");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String key = "ll_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String line = HexFormat.of().formatHex(ApiKeys.sha256(key)) + " " + client + " " + resorts + " " + scopes;
        // The line is checked as the services will read it, with what the file holds already.
        List<String> lines =
                new ArrayList<>(Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of());
        lines.add(line);
        ApiKeys.parse(lines, file);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException kept) {
            // appended to, with the permissions it has
        }
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return key;
    }

    /** Every key's line: its client, resorts and scopes (a line without scopes is {@code ingest}). */
    public static List<Line> list(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        ApiKeys.parse(lines, file);
        List<Line> listed = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.strip().split("\\s+");
            if (!line.isBlank() && !line.strip().startsWith("#")) {
                listed.add(
                        new Line(fields[1], fields[2], fields.length == 4 ? fields[3] : ApiKeys.Scope.INGEST.word()));
            }
        }
        return listed;
    }

    /**
     * Removes every key of a client, in one rename: a service never reads a half-written file.
     *
     * @return how many keys were removed; 0 when the client had none
     */
    public static int revoke(Path file, String client) throws IOException {
        List<String> kept = new ArrayList<>();
        int removed = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] fields = line.strip().split("\\s+");
            if (!line.strip().startsWith("#") && fields.length >= 3 && fields[1].equals(client)) {
                removed++;
            } else {
                kept.add(line);
            }
        }
        if (removed > 0) {
            Path next = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".next");
            try {
                Files.setPosixFilePermissions(next, Files.getPosixFilePermissions(file));
                Files.write(next, kept, StandardCharsets.UTF_8);
                Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(next);
            }
        }
        return removed;
    }
}
