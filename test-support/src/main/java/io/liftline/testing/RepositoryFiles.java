package io.liftline.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the repository (rabbitmq/, scripts/) from whichever module directory a test runs in. */
public final class RepositoryFiles {

    private RepositoryFiles() {}

    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("rabbitmq/definitions.json"))
                    && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new AssertionError("cannot find the Liftline repository root above " + dir);
    }

    public static Path resolve(String relative) {
        return root().resolve(relative);
    }
}
