package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs cannot drift from the repository: every relative link and anchor resolves, every alert's runbook has its
 * section, every script and launcher they name exists, every {@code LIFTLINE_*} they name is read somewhere, and
 * every one the code reads is named.
 */
class DocsTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);
    private static final Pattern RUNBOOK = Pattern.compile("runbook_url: (\\S+)");
    private static final Pattern COMMAND =
            Pattern.compile("(?<![\\w/.-])((?:scripts|bin)/[a-z][a-z0-9-]*[a-z0-9])(?![\\w*<-])");
    private static final Pattern VARIABLE = Pattern.compile("LIFTLINE_[A-Z0-9_]*[A-Z0-9]");

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>();
        for (String top : List.of("README.md", "CONTRIBUTING.md", "CHANGELOG.md")) {
            docs.add(RepositoryFiles.resolve(top));
        }
        try (Stream<Path> files = Files.list(RepositoryFiles.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** GitHub's anchor of a heading: lower case, punctuation but hyphens and underscores dropped, spaces hyphens. */
    static String anchor(String heading) {
        return heading.strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[`*]", "")
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }

    /** What the first group of {@code pattern} matches in {@code text}, each match in order. */
    private static List<String> found(Pattern pattern, String text) {
        return pattern.matcher(text).results().map(m -> m.group(1)).toList();
    }

    private static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        for (String heading : found(HEADING, Files.readString(file, StandardCharsets.UTF_8))) {
            anchors.add(anchor(heading));
        }
        return anchors;
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : docs()) {
            for (String link : found(LINK, Files.readString(doc, StandardCharsets.UTF_8))) {
                if (link.matches("[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                int hash = link.indexOf('#');
                Path target = hash == 0
                        ? doc
                        : doc.getParent()
                                .resolve(hash < 0 ? link : link.substring(0, hash))
                                .normalize();
                String where = RepositoryFiles.root().relativize(doc) + ": (" + link + ")";
                if (!Files.exists(target)) {
                    broken.add(where + " names no file");
                } else if (hash >= 0 && !anchors(target).contains(link.substring(hash + 1))) {
                    broken.add(where + " names no heading of " + target.getFileName());
                }
            }
        }
        assertThat(broken)
                .as("links in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/")
                .isEmpty();
    }

    @Test
    void everyAlertHasItsRunbookSection() throws IOException {
        String rules = Files.readString(RepositoryFiles.resolve("monitoring/alerts.yml"), StandardCharsets.UTF_8);
        Set<String> sections = anchors(RepositoryFiles.resolve("docs/runbooks.md"));
        List<String> urls = found(RUNBOOK, rules);
        assertThat(urls).as("a runbook_url on every rule").hasSize(count(rules, "- alert: "));
        for (String url : urls) {
            assertThat(url).startsWith("docs/runbooks.md#");
            assertThat(sections).as(url).contains(url.substring(url.indexOf('#') + 1));
        }
    }

    @Test
    void everyScriptAndLauncherTheDocsNameExists() throws IOException {
        Set<String> missing = new TreeSet<>();
        for (Path doc : docs()) {
            for (String named : found(COMMAND, Files.readString(doc, StandardCharsets.UTF_8))) {
                Path where = named.startsWith("bin/")
                        ? RepositoryFiles.resolve("distribution/src/bin/" + named.substring(4))
                        : RepositoryFiles.resolve(named);
                if (!Files.exists(where)) {
                    missing.add(RepositoryFiles.root().relativize(doc) + ": " + named);
                }
            }
        }
        assertThat(missing).as("scripts/ and bin/ commands the docs name").isEmpty();
    }

    @Test
    void everyVariableTheDocsNameIsReadSomewhere() throws IOException {
        StringBuilder code = new StringBuilder();
        try (Stream<Path> files = Files.walk(RepositoryFiles.root())) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f ->
                            !f.toString().contains("/target/") && !f.toString().contains("/.git/"))
                    .filter(f -> f.toString().contains("/src/main/")
                            || f.toString().contains("/scripts/")
                            || f.toString().contains("/src/bin/"))
                    .toList()) {
                code.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)); // never throws on a binary file
            }
        }
        Set<String> unread = new TreeSet<>();
        for (Path doc : docs()) {
            Matcher m = VARIABLE.matcher(Files.readString(doc, StandardCharsets.UTF_8));
            while (m.find()) {
                String variable = m.group().replaceAll("_FILE$", "");
                if (!code.toString().contains(variable) && !variable.equals("LIFTLINE_OLD_NAME")) {
                    unread.add(RepositoryFiles.root().relativize(doc) + ": " + m.group());
                }
            }
        }
        assertThat(unread)
                .as("LIFTLINE_* variables the docs name that no code, script or launcher reads")
                .isEmpty();
    }

    /**
     * The reverse: every {@code LIFTLINE_*} that the Java code reads (as a string, the way every setting is declared)
     * is named in the docs, as the variable or as its {@code --flag}.
     */
    @Test
    void everyVariableTheCodeReadsIsNamedInTheDocs() throws IOException {
        StringBuilder docs = new StringBuilder();
        for (Path doc : docs()) {
            docs.append(Files.readString(doc, StandardCharsets.UTF_8));
        }
        Pattern literal = Pattern.compile("\"(" + VARIABLE.pattern() + ")\"");
        Set<String> unnamed = new TreeSet<>();
        try (Stream<Path> files = Files.walk(RepositoryFiles.root())) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/"))
                    .toList()) {
                Matcher m = literal.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    String variable = m.group(1);
                    String flag = "--"
                            + variable.substring("LIFTLINE_".length())
                                    .toLowerCase(Locale.ROOT)
                                    .replace('_', '-');
                    if (!docs.toString().contains(variable)
                            && !Pattern.compile(Pattern.quote(flag) + "(?![\\w-])")
                                    .matcher(docs)
                                    .find()) {
                        unnamed.add(RepositoryFiles.root().relativize(f) + ": " + variable);
                    }
                }
            }
        }
        assertThat(unnamed)
                .as("LIFTLINE_* variables the code reads that the docs name neither as variable nor as flag")
                .isEmpty();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
