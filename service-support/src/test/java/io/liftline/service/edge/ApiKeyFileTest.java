package io.liftline.service.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyFileTest {

    @TempDir
    Path dir;

    @Test
    void aNewKeyIsPrintedOnceAndOnlyItsHashIsKeptInAFileForItsOwnerOnly() throws Exception {
        Path file = dir.resolve("keys/api-keys");

        String key = ApiKeyFile.add(file, "gate7", "3,4", "ingest");

        String stored = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(key).startsWith("ll_").hasSizeGreaterThan(40);
        assertThat(stored)
                .doesNotContain(key)
                .contains(HexFormat.of().formatHex(ApiKeys.sha256(key)) + " gate7 3,4 ingest");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        ApiKeys keys = ApiKeys.load(file);
        assertThat(keys.authenticate("Bearer " + key).name())
                .as("the services accept it")
                .isEqualTo("gate7");
        assertThat(keys.authenticate("Bearer " + key).covers(5)).isFalse();
    }

    @Test
    void listGivesEachKeysClientResortsAndScopes() throws Exception {
        Path file = dir.resolve("api-keys");
        ApiKeyFile.add(file, "gate7", "3,4", "ingest");
        ApiKeyFile.add(file, "analyst", "*", "read");
        Files.writeString(file, "# a comment\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(ApiKeyFile.list(file))
                .containsExactly(
                        new ApiKeyFile.Line("gate7", "3,4", "ingest"), new ApiKeyFile.Line("analyst", "*", "read"));
    }

    @Test
    void revokeRemovesEveryKeyOfTheClientAndNoOther() throws Exception {
        Path file = dir.resolve("api-keys");
        String first = ApiKeyFile.add(file, "gate7", "*", "ingest");
        String second = ApiKeyFile.add(file, "gate7", "*", "ingest");
        String other = ApiKeyFile.add(file, "gate8", "*", "ingest");

        assertThat(ApiKeyFile.revoke(file, "gate7")).isEqualTo(2);

        ApiKeys keys = ApiKeys.load(file);
        assertThat(keys.authenticate("Bearer " + first)).isNull();
        assertThat(keys.authenticate("Bearer " + second)).isNull();
        assertThat(keys.authenticate("Bearer " + other).name()).isEqualTo("gate8");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(ApiKeyFile.revoke(file, "nobody")).isZero();
        try (var left = Files.list(dir)) {
            assertThat(left).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aBadClientResortListOrScopeIsRefusedAndTheFileIsUnchanged() throws Exception {
        Path file = dir.resolve("api-keys");
        ApiKeyFile.add(file, "gate7", "*", "ingest");
        String before = Files.readString(file);

        assertThatThrownBy(() -> ApiKeyFile.add(file, "gate 7", "*", "ingest")).hasMessageContaining("client name");
        assertThatThrownBy(() -> ApiKeyFile.add(file, "gate8", "3;4", "ingest")).hasMessageContaining("resortIDs");
        assertThatThrownBy(() -> ApiKeyFile.add(file, "gate8", "*", "write")).hasMessageContaining("scopes");
        assertThat(Files.readString(file)).isEqualTo(before);
    }
}
