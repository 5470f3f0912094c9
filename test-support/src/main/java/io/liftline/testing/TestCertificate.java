package io.liftline.testing;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's keytool: the
 * PKCS12 key store a service serves it from, the certificate as PEM (for curl and openssl), and a PKCS12 trust store
 * holding it (password {@code changeit}).
 */
public record TestCertificate(Path keystore, String password, Path pem, Path truststore) {

    /** The trust store's password. */
    public static final String TRUSTSTORE_PASSWORD = "changeit";

    /** Makes {@code <name>.p12}, {@code <name>.pem} and {@code <name>-trust.p12} in {@code dir}, valid for 2 days. */
    public static TestCertificate make(Path dir, String name, String password) throws Exception {
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        TestCertificate made = new TestCertificate(
                dir.resolve(name + ".p12"), password, dir.resolve(name + ".pem"), dir.resolve(name + "-trust.p12"));
        Duration timeout = Duration.ofSeconds(60);
        Commands.succeed(
                timeout,
                keytool,
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                made.keystore().toString(),
                "-storepass",
                password);
        Commands.succeed(
                timeout,
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                name,
                "-keystore",
                made.keystore().toString(),
                "-storepass",
                password,
                "-file",
                made.pem().toString());
        Commands.succeed(
                timeout,
                keytool,
                "-importcert",
                "-noprompt",
                "-alias",
                name,
                "-file",
                made.pem().toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                made.truststore().toString(),
                "-storepass",
                TRUSTSTORE_PASSWORD);
        return made;
    }
}
