package io.liftline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end, the one way tests do (a long-lived process is an {@link AppProcess}): no input, its
 * output (with its errors, unless the builder sends them elsewhere) kept whole, and a time bound that holds even when
 * the command never closes its output.
 */
public final class Commands {

    private Commands() {}

    /** How a command ended: its exit status and what it printed. */
    public record Ran(int exit, String output) {}

    /** Runs {@code command}; how it ended. */
    public static Ran run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command), timeout);
    }

    /** Runs {@code command}; its output. Fails the test, with that output, unless it exits 0. */
    public static String succeed(Duration timeout, String... command) throws IOException, InterruptedException {
        return succeed(new ProcessBuilder(command), timeout);
    }

    /** As {@link #succeed(Duration, String...)} for a builder that sets a directory or an environment. */
    public static String succeed(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Ran ran = run(builder, timeout);
        if (ran.exit() != 0) {
            throw new AssertionError(
                    "'" + String.join(" ", builder.command()) + "' exited " + ran.exit() + ":\n" + ran.output());
        }
        return ran.output();
    }

    /**
     * Runs what {@code builder} says, with its output going to a file (so that a command which leaves a child
     * holding the pipe cannot hang the test); errors go with it unless the builder redirected them.
     */
    public static Ran run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("liftline-command", ".log");
        try {
            if (builder.redirectError() == ProcessBuilder.Redirect.PIPE) {
                builder.redirectErrorStream(true);
            }
            Process process = builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("'" + String.join(" ", builder.command()) + "' did not finish within "
                        + timeout + ":\n" + read(output));
            }
            return new Ran(process.exitValue(), read(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    /** Lenient: a command's output may hold bytes that are not UTF-8. */
    private static String read(Path output) throws IOException {
        return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
    }
}
