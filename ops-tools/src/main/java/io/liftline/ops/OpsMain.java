package io.liftline.ops;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerClients;
import io.liftline.broker.BrokerNodes;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.management.ManagementClient;
import io.liftline.runtime.CommonSettings;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Secrets;
import io.liftline.runtime.Setting;
import io.liftline.service.edge.ApiKeyFile;
import io.liftline.service.edge.ApiKeys;
import io.liftline.store.Summaries;
import io.liftline.store.SummaryCheck;
import io.liftline.store.SummaryRebuild;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The operator and analyst commands: {@code status}, {@code dead-letters ...}, {@code query ...}, {@code summaries ...}.
 * Run through {@code scripts/status}, {@code scripts/dead-letters}, {@code scripts/query} and {@code scripts/summaries}.
 */
public final class OpsMain {

    /** The broker and the store as the services name them, with the same defaults and checks. */
    private static final Setting<Void, String> AMQP_URI = CommonSettings.amqpUri(none -> null);

    private static final Setting<Void, String> MONGODB_URI = CommonSettings.mongodbUri(none -> null);
    private static final Setting<Void, String> MONGODB_DATABASE = CommonSettings.mongodbDatabase(none -> null);
    static final String MANAGEMENT_URI = "LIFTLINE_MANAGEMENT_URI";
    /** The workers' admin ports, whose freshness status shows: comma-separated base URLs. */
    static final String WORKERS = "LIFTLINE_WORKERS";

    static final String DEFAULT_WORKERS = "http://127.0.0.1:9091";
    /** The API keys file that {@code api-key} changes: the one a service's LIFTLINE_API_KEYS_FILE names. */
    static final String API_KEYS_FILE = "LIFTLINE_API_KEYS_FILE";

    /** Where {@code users} keeps the broker users' passwords and URIs (mode 700). */
    static final String SECRETS_DIR = "LIFTLINE_SECRETS_DIR";
    /** The broker users file; by default the installation's conf/rabbitmq/users.json. */
    static final String USERS_FILE = "LIFTLINE_USERS_FILE";

    /** The topology file; by default the installation's conf/rabbitmq/definitions.json. */
    static final String DEFINITIONS_FILE = "LIFTLINE_DEFINITIONS_FILE";

    private static final List<String> VARIABLES = List.of(
            DEFINITIONS_FILE,
            "LIFTLINE_SHARDS",
            "LIFTLINE_VHOST",
            SECRETS_DIR,
            USERS_FILE,
            "LIFTLINE_ADMIN",
            AMQP_URI.variable(),
            MANAGEMENT_URI,
            MONGODB_URI.variable(),
            MONGODB_DATABASE.variable(),
            WORKERS,
            "LIFTLINE_JSON",
            "LIFTLINE_WATCH",
            "LIFTLINE_INTERVAL",
            "LIFTLINE_LIMIT",
            "LIFTLINE_REASON",
            "LIFTLINE_OLDER_THAN",
            "LIFTLINE_DRY_RUN",
            "LIFTLINE_YES",
            "LIFTLINE_SKIER",
            "LIFTLINE_SEASON",
            API_KEYS_FILE,
            "LIFTLINE_DAY",
            "LIFTLINE_RESORT");

    static final String USAGE = """
            usage:
              status [--watch] [--interval=2s] [--json] [--workers=http://127.0.0.1:9091,...]
                  depth, rates and consumers of lift-rides and lift-rides.dead (management API); then, as text,
                  each worker's freshness: the lag p50/p99/max of the last minute from a ride's 201 to its store
              dead-letters list [--limit=20] [--json]       what is dead-lettered, and why
              dead-letters peek [--limit=5] [--json]        the same, with the bodies
              dead-letters replay [--reason=R] [--older-than=10m] [--dry-run]
                  move dead letters back to lift-rides, each only after its copy is confirmed
              dead-letters purge [--yes]                    delete every dead letter (asks unless --yes)
              query skier-day --skier=N --season=YYYY --day=N
              query skier-seasons --skier=N
              query unique-skiers --resort=N --season=YYYY --day=N
              query lift-hours --resort=N --season=YYYY --day=N
              query top-skiers --resort=N --season=YYYY [--day=N] [--limit=10]
                  add --json for JSON instead of a table
              summaries verify [--resort=N] [--season=YYYY] [--json]
                  recount the read model from the raw rides; print every difference (exit 1 if any)
              summaries rebuild [--resort=N] [--season=YYYY]
                  recompute the read model from the raw rides, while ingest runs; readers never see a half-built one
              api-key new CLIENT RESORTS [SCOPES] --api-keys-file=F
                  a fresh random key for CLIENT, printed this once (the file keeps its hash); RESORTS: * or a list
                  such as 3,4; SCOPES: ingest (a scanner's, the default), read (an analyst's), ingest,read
              api-key list --api-keys-file=F             the clients, their resorts and scopes
              api-key revoke CLIENT --api-keys-file=F    removes every key of CLIENT
                  the services read the file again within a second of a change
              topology definitions [--shards=1] [--vhost=/] [--definitions-file=F]
                  the topology and policy of F (conf/rabbitmq/definitions.json), the ride queue one per shard
                  (lift-rides.N bound with ride.N) when there are several: for rabbitmqctl import_definitions
              topology load [--shards=1] [--definitions-file=F] [--management-uri=U]
                  the same, loaded through the management API U (an administrator's) into its vhost
              users load --secrets-dir=D [--users-file=F] [--management-uri=U] [--amqp-uri=A]
                  the applications' broker users of F (conf/rabbitmq/users.json), least privilege, made or updated
                  through the management API U (an administrator's); each password is made once and kept in D
                  (mode 700), with D/<user>.amqp-uri on A's nodes and vhost for that app's LIFTLINE_AMQP_URI_FILE
              users definitions --secrets-dir=D [--users-file=F] [--admin=NAME]
                  the same users as a definitions document with salted password hashes, for a broker that loads
                  its definitions at boot; --admin adds a console administrator NAME (password in D/NAME.password)
            connections: LIFTLINE_AMQP_URI, LIFTLINE_MANAGEMENT_URI (http://guest:guest@127.0.0.1:15672),
                         LIFTLINE_MONGODB_URI, LIFTLINE_MONGODB_DATABASE, or the matching --flags
            """;

    private OpsMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System::getenv, System.out, System.in));
    }

    /** Runs one command; returns the exit code (0 done, 1 failed, 2 usage). */
    public static int run(String[] args, Function<String, String> env, PrintStream out, InputStream in) {
        int words = 0;
        while (words < args.length && !args[words].startsWith("-")) {
            words++;
        }
        List<String> command = Arrays.asList(args).subList(0, words);
        try {
            ConfigSource config = ConfigSource.from(Arrays.copyOfRange(args, words, args.length), env);
            if (config.helpRequested() || command.isEmpty()) {
                out.print(USAGE);
                return command.isEmpty() && !config.helpRequested() ? 2 : 0;
            }
            config.rejectUnknownFlags(VARIABLES);
            boolean json = config.getBoolean("LIFTLINE_JSON", false);
            return switch (command.get(0)) {
                case "status" -> status(config, json, out);
                case "dead-letters" -> deadLetters(command, config, json, out, in);
                case "query" -> query(command, config, json, out);
                case "summaries" -> summaries(command, config, json, out);
                case "api-key" -> apiKey(command, config, json, out);
                case "users" -> users(command, config, out);
                case "topology" -> topology(command, config, out);
                default -> usage(out, "unknown command '" + command.get(0) + "'");
            };
        } catch (IllegalArgumentException e) {
            return usage(out, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream out, String problem) {
        out.println("error: " + problem);
        out.print(USAGE);
        return 2;
    }

    private static int status(ConfigSource config, boolean json, PrintStream out) throws Exception {
        QueueStatus status = new QueueStatus(management(config), vhost(AMQP_URI.read(config)));
        boolean watch = config.getBoolean("LIFTLINE_WATCH", false);
        Duration interval = config.getDuration("LIFTLINE_INTERVAL", Duration.ofSeconds(2));
        List<URI> workers = Arrays.stream(config.get(WORKERS, DEFAULT_WORKERS).split(","))
                .map(String::strip)
                .filter(w -> !w.isEmpty())
                .map(URI::create)
                .toList();
        Freshness freshness = new Freshness(workers);
        do {
            out.print(status.snapshot().render(json));
            if (!json) {
                out.println();
                out.print(freshness.snapshot().render(false));
            }
            out.flush();
            if (watch) {
                Thread.sleep(interval.toMillis());
                out.println();
            }
        } while (watch);
        return 0;
    }

    private static int deadLetters(
            List<String> command, ConfigSource config, boolean json, PrintStream out, InputStream in) throws Exception {
        if (command.size() != 2) {
            return usage(out, "dead-letters needs one of list, peek, replay, purge");
        }
        String uri = AMQP_URI.read(config);
        try (Connection connection = BrokerClients.connect(uri, "liftline-ops")) {
            DeadLetterTool tool = new DeadLetterTool(connection);
            switch (command.get(1)) {
                case "list" ->
                    out.print(DeadLetterTool.table(tool.list(config.getInt("LIFTLINE_LIMIT", 20)), false)
                            .render(json));
                case "peek" ->
                    out.print(DeadLetterTool.table(tool.list(config.getInt("LIFTLINE_LIMIT", 5)), true)
                            .render(json));
                case "replay" -> {
                    boolean dryRun = config.getBoolean("LIFTLINE_DRY_RUN", false);
                    String older = config.get("LIFTLINE_OLDER_THAN", null);
                    var replay = tool.replay(
                            config.get("LIFTLINE_REASON", null),
                            older == null ? null : config.getDuration("LIFTLINE_OLDER_THAN", null),
                            dryRun);
                    out.print(DeadLetterTool.table(replay.moved(), false).render(json));
                    if (!json) {
                        out.println((dryRun ? "would replay " : "replayed ")
                                + replay.moved().size() + " dead letters to lift-rides");
                    }
                    if (!replay.unroutable().isEmpty()) {
                        out.println(replay.unroutable().size()
                                + " not replayed: lift-rides routed their copies to no queue "
                                + "(is the queue bound to the exchange?); they stay in lift-rides.dead");
                        return 1;
                    }
                }
                case "purge" -> {
                    if (!config.switchGiven("LIFTLINE_YES")) { // only this command line may skip the question
                        out.print("delete every message in lift-rides.dead of " + Secrets.maskUri(uri)
                                + "? type 'purge': ");
                        out.flush();
                        String answer =
                                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                        if (!"purge".equals(answer == null ? null : answer.strip())) {
                            out.println("not purged");
                            return 1;
                        }
                    }
                    out.println("purged " + tool.purge() + " dead letters");
                }
                default -> {
                    return usage(out, "unknown dead-letters command '" + command.get(1) + "'");
                }
            }
        }
        return 0;
    }

    private static int query(List<String> command, ConfigSource config, boolean json, PrintStream out) {
        if (command.size() != 2) {
            return usage(out, "query needs one of skier-day, skier-seasons, unique-skiers, lift-hours, top-skiers");
        }
        // Analysts' reads may be served by a secondary (a little stale, and off the primary's back).
        try (MongoClient client = mongo(config, ReadPreference.secondaryPreferred())) {
            Queries queries = new Queries(client.getDatabase(MONGODB_DATABASE.read(config)));
            Table table = switch (command.get(1)) {
                case "skier-day" ->
                    queries.skierDay(
                            required(config, "LIFTLINE_SKIER"), season(config), required(config, "LIFTLINE_DAY"));
                case "skier-seasons" -> queries.skierSeasons(required(config, "LIFTLINE_SKIER"));
                case "unique-skiers" ->
                    queries.uniqueSkiers(
                            required(config, "LIFTLINE_RESORT"), season(config), required(config, "LIFTLINE_DAY"));
                case "lift-hours" ->
                    queries.liftHours(
                            required(config, "LIFTLINE_RESORT"), season(config), required(config, "LIFTLINE_DAY"));
                case "top-skiers" ->
                    queries.topSkiers(
                            required(config, "LIFTLINE_RESORT"),
                            season(config),
                            config.get("LIFTLINE_DAY", null) == null ? null : config.getInt("LIFTLINE_DAY", 0),
                            config.getInt("LIFTLINE_LIMIT", 10));
                default -> null;
            };
            if (table == null) {
                return usage(out, "unknown query '" + command.get(1) + "'");
            }
            out.print(table.render(json));
            return 0;
        } catch (MongoTimeoutException e) {
            out.println("error: cannot reach MongoDB at "
                    + Secrets.maskUri(MONGODB_URI.read(config))
                    + " (set LIFTLINE_MONGODB_URI or --mongodb-uri)");
            return 1;
        }
    }

    /** The store, read with {@code preference} unless the URI asks otherwise (readPreference=...). */
    private static MongoClient mongo(ConfigSource config, ReadPreference preference) {
        ConnectionString uri = new ConnectionString(MONGODB_URI.read(config));
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(uri)
                .readPreference(uri.getReadPreference() != null ? uri.getReadPreference() : preference)
                .applyToClusterSettings(c -> c.serverSelectionTimeout(5, TimeUnit.SECONDS))
                .build());
    }

    /** How long a ride may wait between its write and its counting: a worker's batch, written and counted. */
    static final Duration IN_FLIGHT = Duration.ofSeconds(3);

    private static int summaries(List<String> command, ConfigSource config, boolean json, PrintStream out)
            throws Exception {
        if (command.size() != 2 || !List.of("verify", "rebuild").contains(command.get(1))) {
            return usage(out, "summaries needs verify or rebuild");
        }
        Integer resort = config.get("LIFTLINE_RESORT", null) == null ? null : config.getInt("LIFTLINE_RESORT", 0);
        String season = config.get("LIFTLINE_SEASON", null);
        // The primary: the raw rides and the summaries as written, not as a secondary has them so far.
        try (MongoClient client = mongo(config, ReadPreference.primary())) {
            Summaries summaries = new Summaries(client.getDatabase(MONGODB_DATABASE.read(config)));
            if (command.get(1).equals("rebuild")) {
                for (SummaryRebuild.Rebuilt rebuilt :
                        new SummaryRebuild(summaries).rebuild(resort, season, out::println)) {
                    out.println(rebuilt);
                }
                return 0;
            }
            SummaryCheck check = new SummaryCheck(summaries);
            List<SummaryCheck.Difference> first = check.differences(resort, season);
            List<SummaryCheck.Difference> differences = first;
            if (!first.isEmpty()) {
                // With ingest running, a ride stored a moment ago may not be counted yet: only what lasts is reported.
                Thread.sleep(IN_FLIGHT.toMillis());
                differences = check.differences(resort, season).stream()
                        .filter(d -> first.stream()
                                .anyMatch(f -> f.summary().equals(d.summary())
                                        && f.key().equals(d.key())))
                        .toList();
            }
            Table table = new Table("summary", "key", "the rides say", "the summary says");
            differences.forEach(d -> table.add(d.summary(), d.key(), d.expected(), d.found()));
            if (json || !differences.isEmpty()) {
                out.print(table.render(json));
            }
            if (!json) {
                out.println(
                        differences.isEmpty()
                                ? "summaries exact: every summary equals the raw rides"
                                : differences.size()
                                        + " summaries differ from the raw rides (liftline-ops summaries rebuild recomputes them)");
            }
            return differences.isEmpty() ? 0 : 1;
        } catch (MongoTimeoutException e) {
            out.println("error: cannot reach MongoDB at "
                    + Secrets.maskUri(MONGODB_URI.read(config))
                    + " (set LIFTLINE_MONGODB_URI or --mongodb-uri)");
            return 1;
        }
    }

    private static int apiKey(List<String> command, ConfigSource config, boolean json, PrintStream out)
            throws IOException {
        String file = config.get(API_KEYS_FILE, null);
        if (file == null) {
            return usage(out, "name the keys file: LIFTLINE_API_KEYS_FILE or --api-keys-file");
        }
        Path keys = Path.of(file);
        String what = command.size() < 2 ? "" : command.get(1);
        switch (what) {
            case "new" -> {
                if (command.size() != 4 && command.size() != 5) {
                    return usage(out, "api-key new CLIENT RESORTS [SCOPES]");
                }
                String scopes = command.size() == 5 ? command.get(4) : ApiKeys.Scope.INGEST.word();
                String key = ApiKeyFile.add(keys, command.get(2), command.get(3), scopes);
                // The key alone on standard output, so that a script can take it; the notice beside it.
                System.err.println("added a key for client " + command.get(2) + " (resorts " + command.get(3)
                        + ", scope " + scopes + ") to " + keys + "; it is shown this once:");
                out.println(key);
                return 0;
            }
            case "list" -> {
                if (!Files.exists(keys)) {
                    out.println("error: no keys file at " + keys);
                    return 1;
                }
                Table table = new Table("client", "resorts", "scopes");
                ApiKeyFile.list(keys).forEach(l -> table.add(l.client(), l.resorts(), l.scopes()));
                out.print(table.render(json));
                return 0;
            }
            case "revoke" -> {
                if (command.size() != 3) {
                    return usage(out, "api-key revoke CLIENT");
                }
                if (!Files.exists(keys)) {
                    out.println("error: no keys file at " + keys);
                    return 1;
                }
                int removed = ApiKeyFile.revoke(keys, command.get(2));
                if (removed == 0) {
                    out.println("error: no key of client " + command.get(2) + " in " + keys);
                    return 1;
                }
                out.println("revoked " + removed + " key(s) of client " + command.get(2));
                return 0;
            }
            default -> {
                return usage(out, "api-key needs one of new, list, revoke");
            }
        }
    }

    private static int required(ConfigSource config, String variable) {
        if (config.get(variable, null) == null) {
            throw new IllegalArgumentException(ConfigSource.flagName(variable) + " is required");
        }
        return config.getInt(variable, 0);
    }

    private static String season(ConfigSource config) {
        String season = config.get("LIFTLINE_SEASON", null);
        if (season == null) {
            throw new IllegalArgumentException("--season is required");
        }
        return season;
    }

    /** The vhost an AMQP URI names: its path, decoded; the default vhost when it has none. */
    private static int users(List<String> command, ConfigSource config, PrintStream out) throws IOException {
        if (command.size() != 2 || !List.of("load", "definitions").contains(command.get(1))) {
            return usage(out, "users needs load or definitions");
        }
        String secrets = config.get(SECRETS_DIR, null);
        if (secrets == null) {
            return usage(out, "name the secrets directory: LIFTLINE_SECRETS_DIR or --secrets-dir");
        }
        Path file = Path.of(config.get(USERS_FILE, installed("users.json").toString()));
        if (!Files.isRegularFile(file)) {
            out.println("error: no users file at " + file + " (--users-file)");
            return 1;
        }
        BrokerUsers users = BrokerUsers.read(file, Path.of(secrets));
        if (command.get(1).equals("definitions")) {
            out.print(users.definitions(config.get("LIFTLINE_ADMIN", null)));
            return 0;
        }
        ManagementClient management = management(config);
        users.load(management, AMQP_URI.read(config));
        for (BrokerUsers.User user : users.users()) {
            out.println("broker user " + user.name() + ": " + Path.of(secrets).resolve(user.name() + ".amqp-uri"));
        }
        return 0;
    }

    private static int topology(List<String> command, ConfigSource config, PrintStream out) throws IOException {
        if (command.size() != 2 || !List.of("load", "definitions").contains(command.get(1))) {
            return usage(out, "topology needs load or definitions");
        }
        Path file = Path.of(
                config.get(DEFINITIONS_FILE, installed("definitions.json").toString()));
        if (!Files.isRegularFile(file)) {
            out.println("error: no definitions file at " + file + " (--definitions-file)");
            return 1;
        }
        Shards shards = new Shards(config.getInt("LIFTLINE_SHARDS", 1));
        if (command.get(1).equals("definitions")) {
            out.print(TopologyDefinitions.of(file, shards, config.get("LIFTLINE_VHOST", "/")));
            return 0;
        }
        ManagementClient management = management(config);
        management.importDefinitions(management.vhost(), TopologyDefinitions.of(file, shards, management.vhost()));
        out.println("topology loaded into vhost " + management.vhost() + ": " + String.join(", ", shards.queues())
                + ", " + Topology.DEAD_LETTER_QUEUE);
        return 0;
    }

    /** The management API the command names (LIFTLINE_MANAGEMENT_URI), else the local broker's as guest. */
    private static ManagementClient management(ConfigSource config) {
        return ManagementClient.of(
                URI.create(config.get(MANAGEMENT_URI, "http://guest:guest@127.0.0.1:15672")), Duration.ofSeconds(10));
    }

    /** conf/rabbitmq/NAME of the installation this tool runs from (its jar is in lib/). */
    private static Path installed(String name) {
        try {
            Path jar = Path.of(OpsMain.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return jar.resolveSibling("../conf/rabbitmq/" + name).normalize();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Path.of("conf/rabbitmq/" + name);
        }
    }

    static String vhost(String amqpUri) {
        String path = URI.create(BrokerNodes.parse(amqpUri).uri()).getRawPath(); // a cluster URI is no java.net.URI
        return path == null || path.length() <= 1 ? "/" : URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    }
}
