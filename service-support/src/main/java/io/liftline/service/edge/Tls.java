package io.liftline.service.edge;

import static io.liftline.runtime.Checks.required;

import java.nio.file.Path;

/** TLS for a public port: a PKCS12 keystore with the server's key and certificate chain, and its password. */
public record Tls(Path keystore, String password) {
    public Tls {
        required(keystore, "tlsKeystore");
        required(password, "tlsKeystorePassword");
    }

    @Override
    public String toString() {
        return keystore + " (password ****)";
    }
}
