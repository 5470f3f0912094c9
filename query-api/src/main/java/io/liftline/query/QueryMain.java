package io.liftline.query;

import io.liftline.query.config.QueryConfig;
import io.liftline.runtime.Launcher;

/** {@code java -jar liftline-query-api.jar [--flag=value ...]}: runs the read API until SIGTERM. */
public final class QueryMain {

    private QueryMain() {}

    public static void main(String[] args) throws Exception {
        Launcher.run(
                "liftline-query-api",
                "liftline-query-api.jar",
                QueryConfig.SETTINGS,
                args,
                QueryConfig::from,
                QueryApp::start);
    }
}
