package io.liftline.runtime;

import java.util.regex.Pattern;

/** Keeps passwords out of log lines and toString()s. */
public final class Secrets {

    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(://[^:/@\\s]*):[^@/\\s]*@");
    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("((?:password|pwd|secret|token)=)[^&\\s]*", Pattern.CASE_INSENSITIVE);

    private Secrets() {}

    /** {@code amqp://user:secret@host} → {@code amqp://user:****@host}; password query parameters likewise. */
    public static String maskUri(String uri) {
        if (uri == null) {
            return null;
        }
        String masked = USERINFO_PASSWORD.matcher(uri).replaceAll("$1:****@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1****");
    }
}
