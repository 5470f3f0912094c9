package io.liftline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.testing.RepositoryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerUsersTest {

    @TempDir
    Path dir;

    @Test
    void hashesAPasswordAsRabbitMqDoes() {
        // RabbitMQ's own example (docs: "Computing Password Hash"): salt 908DC60A, password test12.
        assertThat(BrokerUsers.hash(HexFormat.of().parseHex("908DC60A"), "test12"))
                .isEqualTo("kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR");
        byte[] salted = Base64.getDecoder().decode(BrokerUsers.hash("same"));
        assertThat(salted).hasSize(36);
        assertThat(BrokerUsers.hash("same")).as("a fresh salt each time").isNotEqualTo(BrokerUsers.hash("same"));
    }

    @Test
    void aPasswordIsMadeOnceAndKeptWhereOnlyItsOwnerReadsIt() throws Exception {
        Path secrets = dir.resolve("secrets");
        BrokerUsers users = BrokerUsers.read(RepositoryFiles.resolve("rabbitmq/users.json"), secrets);

        String first = users.password("liftline-producer");
        assertThat(first).hasSizeGreaterThanOrEqualTo(32).doesNotContain("+", "/", "=");
        assertThat(users.password("liftline-producer")).isEqualTo(first);
        assertThat(users.password("liftline-consumer")).isNotEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(secrets.resolve("liftline-producer.password"))))
                .isEqualTo("rw-------");
    }

    @Test
    void theDefinitionsHoldEachUsersHashAndPermissionsAndNoPassword() throws Exception {
        BrokerUsers users = BrokerUsers.read(RepositoryFiles.resolve("rabbitmq/users.json"), dir);
        String definitions = users.definitions("liftline-admin");
        JsonNode doc = new ObjectMapper().readTree(definitions);

        assertThat(doc.path("vhosts").toString()).isEqualTo("[{\"name\":\"/\"}]");
        assertThat(doc.path("users")).hasSize(4);
        for (JsonNode user : doc.path("users")) {
            String password = users.password(user.path("name").asText());
            assertThat(definitions).doesNotContain(password);
            byte[] salted =
                    Base64.getDecoder().decode(user.path("password_hash").asText());
            byte[] salt = java.util.Arrays.copyOf(salted, 4);
            assertThat(BrokerUsers.hash(salt, password))
                    .as(user.path("name").asText() + "'s hash is of its kept password")
                    .isEqualTo(user.path("password_hash").asText());
        }
        JsonNode producer = doc.path("permissions").get(0);
        assertThat(producer.path("user").asText()).isEqualTo("liftline-producer");
        assertThat(producer.path("write").asText()).isEqualTo("^lift-rides$");
        assertThat(producer.path("read").asText()).isEqualTo("^$");
        assertThat(doc.path("users").get(3).path("tags").get(0).asText()).isEqualTo("administrator");
    }

    @Test
    void aUriGetsTheUserInPlaceOfAnyItHadWithItsNodesKept() {
        assertThat(BrokerUsers.withUser("amqp://127.0.0.1:5672/%2F", "liftline-producer", "p@ss/w:rd"))
                .isEqualTo("amqp://liftline-producer:p%40ss%2Fw%3Ard@127.0.0.1:5672/%2F");
        assertThat(BrokerUsers.withUser("amqps://guest:guest@h1:5671,h2:5671/prod", "u", "p"))
                .isEqualTo("amqps://u:p@h1:5671,h2:5671/prod");
        assertThat(BrokerUsers.withUser("http://admin:secret@127.0.0.1:15672", "liftline-ops", "p"))
                .isEqualTo("http://liftline-ops:p@127.0.0.1:15672");
    }
}
