package io.liftline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liftline.management.ManagementClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The applications' broker users of {@code rabbitmq/users.json} (least privilege, no password in the file): each
 * user's password is made once and kept in a secrets directory (mode 700, each file 600), beside a ready AMQP URI
 * that the application reads through {@code LIFTLINE_AMQP_URI_FILE}, so that no secret is ever on a command line.
 * {@link #load} creates the users and their permissions through the management API (the broker hashes the
 * passwords); {@link #definitions} gives them as a definitions document with RabbitMQ's salted SHA-256 hashes, for a
 * broker that loads its definitions at boot (the compose files' secrets).
 */
final class BrokerUsers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HASHING = "rabbit_password_hashing_sha256";

    /** One user of the file: its name, its tags, and its permissions on a vhost. */
    record User(String name, String tags, String vhost, String configure, String write, String read) {}

    private final List<User> users;
    private final Path secrets;

    private BrokerUsers(List<User> users, Path secrets) {
        this.users = users;
        this.secrets = secrets;
    }

    /** The users and permissions of {@code usersFile}, with their passwords in {@code secrets}. */
    static BrokerUsers read(Path usersFile, Path secrets) throws IOException {
        JsonNode doc = JSON.readTree(usersFile.toFile());
        List<User> users = new ArrayList<>();
        for (JsonNode user : doc.path("users")) {
            String name = user.path("name").asText();
            JsonNode permission = null;
            for (JsonNode p : doc.path("permissions")) {
                if (p.path("user").asText().equals(name)) {
                    permission = p;
                }
            }
            if (permission == null) {
                throw new IllegalArgumentException(usersFile + ": user " + name + " has no permissions");
            }
            List<String> tags = new ArrayList<>();
            user.path("tags").forEach(t -> tags.add(t.asText()));
            users.add(new User(
                    name,
                    String.join(",", tags),
                    permission.path("vhost").asText(),
                    permission.path("configure").asText(),
                    permission.path("write").asText(),
                    permission.path("read").asText()));
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException(usersFile + " names no users");
        }
        return new BrokerUsers(users, secrets);
    }

    List<User> users() {
        return users;
    }

    /**
     * Creates (or updates) every user with its password and permissions through {@code management}, an
     * administrator's, and writes each user's AMQP URI on {@code amqp} (its nodes and vhost, no user) to
     * {@code <user>.amqp-uri}, and the management URI of any user tagged {@code monitoring} to
     * {@code <user>.management-uri}.
     */
    void load(ManagementClient management, String amqp) throws IOException {
        for (User user : users) {
            String password = password(user.name());
            management.putUser(user.name(), password, user.tags());
            management.setPermissions(user.vhost(), user.name(), user.configure(), user.write(), user.read());
            writeSecret(user.name() + ".amqp-uri", withUser(amqp, user.name(), password) + "\n");
            if (user.tags().contains("monitoring")) {
                writeSecret(
                        user.name() + ".management-uri",
                        withUser(management.base().toString(), user.name(), password) + "\n");
            }
        }
    }

    /**
     * The users as a definitions document that a broker imports at boot: their vhosts, each user with its password's
     * salted SHA-256 hash, and their permissions; {@code administrator}, when not null, is added as a console user with every
     * permission on {@code /} (for people; no application runs as it).
     */
    String definitions(String administrator) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        // The vhosts the permissions name: a broker that loads this at boot makes them before it grants anything.
        ArrayNode vhosts = doc.putArray("vhosts");
        users.stream()
                .map(User::vhost)
                .distinct()
                .forEach(v -> vhosts.addObject().put("name", v));
        ArrayNode userNodes = doc.putArray("users");
        ArrayNode permissions = doc.putArray("permissions");
        List<User> all = new ArrayList<>(users);
        if (administrator != null) {
            all.add(new User(administrator, "administrator", "/", ".*", ".*", ".*"));
        }
        for (User user : all) {
            ObjectNode node = userNodes
                    .addObject()
                    .put("name", user.name())
                    .put("password_hash", hash(password(user.name())))
                    .put("hashing_algorithm", HASHING);
            ArrayNode tags = node.putArray("tags");
            for (String tag : user.tags().split(",")) {
                if (!tag.isEmpty()) {
                    tags.add(tag);
                }
            }
            permissions
                    .addObject()
                    .put("user", user.name())
                    .put("vhost", user.vhost())
                    .put("configure", user.configure())
                    .put("write", user.write())
                    .put("read", user.read());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    }

    /** The user's password: read from {@code <user>.password}, made (24 random bytes) on first use. */
    String password(String user) throws IOException {
        Path file = secrets.resolve(user + ".password");
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            writeSecret(
                    user + ".password", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /**
     * RabbitMQ's {@code rabbit_password_hashing_sha256}: base64 of a 4-byte salt followed by
     * SHA-256(salt + password).
     */
    static String hash(String password) {
        byte[] salt = new byte[4];
        RANDOM.nextBytes(salt);
        return hash(salt, password);
    }

    static String hash(byte[] salt, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            byte[] digest = sha256.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] salted = new byte[salt.length + digest.length];
            System.arraycopy(salt, 0, salted, 0, salt.length);
            System.arraycopy(digest, 0, salted, salt.length, digest.length);
            return Base64.getEncoder().encodeToString(salted);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * {@code uri} with {@code user:password} in it (both URL-encoded) in place of any it had, its nodes (several, in a
     * cluster's {@code amqp://h1:5672,h2:5672/vhost}), path and query kept.
     */
    static String withUser(String text, String user, String password) {
        int scheme = text.indexOf("://") + 3;
        int at = text.indexOf('@', scheme);
        int slash = text.indexOf('/', scheme);
        String rest = at >= 0 && (slash < 0 || at < slash) ? text.substring(at + 1) : text.substring(scheme);
        return text.substring(0, scheme) + encode(user) + ":" + encode(password) + "@" + rest;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Writes a file readable by its owner only, in a directory only its owner may enter. */
    private void writeSecret(String name, String content) throws IOException {
        if (!Files.isDirectory(secrets)) {
            Files.createDirectories(
                    secrets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path file = secrets.resolve(name);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
