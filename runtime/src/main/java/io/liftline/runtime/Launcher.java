package io.liftline.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of an application: settings from flags and environment (or {@code --help}), start, run until
 * SIGTERM, then close gracefully. A bad setting exits with status 2 and one line saying which.
 */
public final class Launcher {

    /** Starts the application from its config; what it returns is closed on SIGTERM. */
    @FunctionalInterface
    public interface Starter<C> {
        AutoCloseable start(C config) throws Exception;
    }

    /** {@code text} (default) or {@code json}: the services' log lines, chosen in their logback.xml. */
    public static final String LOG_FORMAT = "LIFTLINE_LOG_FORMAT";

    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    private Launcher() {}

    public static <C> void run(
            String name,
            String jar,
            Settings<C> settings,
            String[] args,
            Function<ConfigSource, C> configure,
            Starter<C> starter)
            throws Exception {
        String logFormatProblem = logFormatProblem(System::getenv);
        if (logFormatProblem != null) {
            System.err.println(name + ": " + logFormatProblem);
            System.exit(2);
            return;
        }
        C config;
        try {
            ConfigSource source = ConfigSource.from(args, System::getenv);
            if (source.helpRequested()) {
                System.out.print(settings.usage("java -jar " + jar));
                return;
            }
            config = configure.apply(source);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage() + " (--help lists the settings)");
            System.exit(2);
            return;
        }
        AutoCloseable app = starter.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("SIGTERM: stopping the {}", name.replace("liftline-", ""));
                            try {
                                app.close();
                            } catch (Exception e) {
                                log.warn("shutdown failed: {}", e.toString());
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "shutdown"));
        stopped.await();
    }

    /**
     * Why {@code LIFTLINE_LOG_FORMAT} is unusable, or null. Logback reads it from the environment as it starts (a
     * flag would come too late), and an unknown format would leave the process with no log at all.
     */
    static String logFormatProblem(Function<String, String> env) {
        String format = env.apply(LOG_FORMAT);
        return format == null || format.equals("text") || format.equals("json")
                ? null
                : LOG_FORMAT + " must be text or json, was '" + format + "'";
    }
}
