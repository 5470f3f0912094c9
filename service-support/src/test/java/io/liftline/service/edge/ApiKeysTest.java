package io.liftline.service.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    @TempDir
    Path dir;

    private ApiKeys load(String content) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, content);
        return ApiKeys.load(file);
    }

    private static String hash(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    @Test
    void aBearerKeyNamesItsClientAndResorts() throws Exception {
        ApiKeys keys = load("# comment\n\n" + hash("k1") + " gate7 3,4\n" + hash("k2") + "   ops   *\n");
        assertThat(keys.size()).isEqualTo(2);
        ApiKeys.Client gate7 = keys.authenticate("Bearer k1");
        assertThat(gate7.name()).isEqualTo("gate7");
        assertThat(gate7.covers(3)).isTrue();
        assertThat(gate7.covers(5)).isFalse();
        assertThat(keys.authenticate("bearer k2").covers(10)).isTrue();
        assertThat(keys.authenticate("Bearer k3")).isNull();
        assertThat(keys.authenticate("Basic azE6")).isNull();
        assertThat(keys.authenticate(null)).isNull();
        assertThat(keys.authenticate("Bearer ")).isNull();
        assertThat(keys.toString()).doesNotContain(hash("k1"));
    }

    @Test
    void aLineItCannotReadFailsTheStartSayingWhich() {
        assertThatThrownBy(() -> load(hash("k1") + " gate7\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1: expected '<sha256 hex of the key> <client> <resortIDs: * or a,b> "
                        + "[<scopes: ingest, read or ingest,read>]'");
        assertThatThrownBy(() -> load("\n" + "abc gate7 *\n")).hasMessageContaining("line 2: the first field must be");
        assertThatThrownBy(() -> load(hash("k1") + " gate/7 *\n")).hasMessageContaining("client name");
        assertThatThrownBy(() -> load(hash("k1") + " gate7 3,x\n")).hasMessageContaining("resortIDs must be");
        assertThatThrownBy(() -> load(hash("k1") + " a *\n" + hash("k1") + " b *\n"))
                .hasMessageContaining("line 2: the same key");
    }

    @Test
    void aKeysScopesSayWhatItMayDoAndALineWithoutScopesIsAScannersKey() throws Exception {
        ApiKeys keys = load(hash("scanner") + " gate7 3\n" + hash("analyst") + " analyst-3 3,4 read\n" + hash("ops")
                + " ops * ingest,read\n");
        ApiKeys.Client scanner = keys.authenticate("Bearer scanner");
        assertThat(scanner.may(ApiKeys.Scope.INGEST)).isTrue();
        assertThat(scanner.may(ApiKeys.Scope.READ)).isFalse();
        ApiKeys.Client analyst = keys.authenticate("Bearer analyst");
        assertThat(analyst.may(ApiKeys.Scope.READ)).isTrue();
        assertThat(analyst.may(ApiKeys.Scope.INGEST)).isFalse();
        assertThat(analyst.covers(4)).isTrue();
        assertThat(analyst.covers(5)).isFalse();
        assertThat(keys.authenticate("Bearer ops").scopeWords()).isEqualTo("ingest,read");
        assertThatThrownBy(() -> load(hash("k1") + " gate7 * write\n"))
                .hasMessageContaining("line 1: scopes must be ingest, read or ingest,read, was 'write'");
    }
}
