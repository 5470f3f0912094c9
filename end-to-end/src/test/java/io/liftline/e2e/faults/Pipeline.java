package io.liftline.e2e.faults;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.Topology;
import io.liftline.testing.AppProcess;
import io.liftline.testing.Poll;
import io.liftline.testing.Ports;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TcpProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole pipeline as real processes: the stand-in store, two producers behind HAProxy (balancer/haproxy.cfg) and
 * two workers, on the test's vhost. The scanners post to the balancer's one URL. Three proxies carry the links so a
 * scenario can cut or black-hole each: producers to broker, workers to broker, workers to store.
 */
final class Pipeline implements AutoCloseable {

    static final int PRODUCERS = 2;
    static final int WORKERS = 2;
    static final int CONSUMERS_PER_WORKER = 2;
    /** What balancer/haproxy.cfg asks of the producers behind it. */
    static final String BALANCER_DRAIN_DELAY = "2s";

    final TcpProxy producerLink;
    final TcpProxy workerLink;
    final TcpProxy storeLink;
    final List<AppProcess> producers = new ArrayList<>();
    final List<AppProcess> workers = new ArrayList<>();
    final AppProcess store;
    final AppProcess balancer;
    private final int balancerPort;
    private final RabbitVhost rabbit;
    private final String database;
    private final Path logs;
    private final int storePort;
    private final List<Integer> producerPorts = new ArrayList<>();
    private final List<Integer> producerAdminPorts = new ArrayList<>();
    private final Path balancerConfig;

    Pipeline(RabbitVhost rabbit, String database, Path work) throws IOException {
        this.rabbit = rabbit;
        this.database = database;
        this.logs = Files.createDirectories(work.resolve("logs"));
        this.storePort = Ports.free();
        Path testSupport = RepositoryFiles.resolve("test-support/target");
        String classpath = testSupport.resolve("classes") + ":"
                + Files.readString(testSupport.resolve("classpath.txt")).strip();
        // The H2 file backend: what the store acknowledged survives its restart. Its heap, not ours, holds the rides.
        this.store = new AppProcess(
                "store",
                AppProcess.java(
                        "-Xmx2g",
                        "-cp",
                        classpath,
                        "io.liftline.testing.StandInMongo",
                        Integer.toString(storePort),
                        work.resolve("store/liftline.mv").toString()),
                Map.of(),
                logs,
                null);
        URI broker = URI.create(rabbit.amqpUri());
        this.producerLink = new TcpProxy(broker.getHost(), broker.getPort());
        this.workerLink = new TcpProxy(broker.getHost(), broker.getPort());
        this.storeLink = new TcpProxy("127.0.0.1", storePort);
        for (int i = 0; i < PRODUCERS; i++) {
            producerPorts.add(Ports.free());
            producerAdminPorts.add(Ports.free());
        }
        this.balancerPort = Ports.free();
        this.balancerConfig = work.resolve("haproxy.cfg");
        Files.writeString(balancerConfig, balancerConfig(balancerPort, producerPorts, producerAdminPorts));
        this.balancer = new AppProcess(
                "balancer", List.of("haproxy", "-db", "-f", balancerConfig.toString()), Map.of(), logs, null);
    }

    /** The shipped balancer/haproxy.cfg with these ports: its bind line and its server lines replaced, nothing else. */
    static String balancerConfig(int port, List<Integer> producers, List<Integer> admins) throws IOException {
        StringBuilder out = new StringBuilder();
        boolean serversWritten = false;
        for (String line : Files.readAllLines(RepositoryFiles.resolve("balancer/haproxy.cfg"))) {
            if (line.strip().startsWith("bind ")) {
                out.append("    bind 127.0.0.1:").append(port).append('\n');
            } else if (line.strip().startsWith("server producer-")) {
                for (int i = 0; !serversWritten && i < producers.size(); i++) {
                    out.append("    server producer-")
                            .append(i + 1)
                            .append(" 127.0.0.1:")
                            .append(producers.get(i))
                            .append(" check port ")
                            .append(admins.get(i))
                            .append('\n');
                }
                serversWritten = true;
            } else {
                out.append(line).append('\n');
            }
        }
        if (!serversWritten) {
            throw new AssertionError("balancer/haproxy.cfg lists no server producer-N line to replace");
        }
        return out.toString();
    }

    void start() throws Exception {
        store.start();
        Poll.waitAtMost(Duration.ofSeconds(30), "the store listening", () -> listening(storePort));
        for (int i = 0; i < PRODUCERS; i++) {
            int adminPort = producerAdminPorts.get(i);
            producers.add(new AppProcess(
                            "producer-" + (i + 1),
                            AppProcess.java(
                                    "-jar",
                                    RepositoryFiles.resolve("producer-api/target/liftline-producer-api.jar")
                                            .toString()),
                            Map.of(
                                    "LIFTLINE_AMQP_URI",
                                    rabbit.amqpUriThrough(producerLink),
                                    "LIFTLINE_HTTP_PORT",
                                    Integer.toString(producerPorts.get(i)),
                                    "LIFTLINE_ADMIN_PORT",
                                    Integer.toString(adminPort),
                                    "LIFTLINE_DRAIN_DELAY",
                                    BALANCER_DRAIN_DELAY),
                            logs,
                            URI.create("http://127.0.0.1:" + adminPort + "/health/ready"))
                    .start());
        }
        balancer.start();
        Poll.waitAtMost(Duration.ofSeconds(30), "HAProxy listening", () -> listening(balancerPort));
        for (int i = 0; i < WORKERS; i++) {
            workers.add(newWorker(i).start());
        }
        awaitHealthy(Duration.ofSeconds(60));
    }

    private AppProcess newWorker(int i) throws IOException {
        int port = Ports.free();
        return new AppProcess(
                "worker-" + (i + 1),
                AppProcess.java(
                        "-jar",
                        RepositoryFiles.resolve("consumer-worker/target/liftline-consumer-worker.jar")
                                .toString()),
                Map.of(
                        "LIFTLINE_AMQP_URI",
                        rabbit.amqpUriThrough(workerLink),
                        "LIFTLINE_MONGODB_URI",
                        "mongodb://127.0.0.1:" + storeLink.port(),
                        "LIFTLINE_MONGODB_DATABASE",
                        database,
                        "LIFTLINE_ADMIN_PORT",
                        Integer.toString(port),
                        "LIFTLINE_CONSUMERS",
                        Integer.toString(CONSUMERS_PER_WORKER),
                        "LIFTLINE_STORE_RETRY_MAX_BACKOFF",
                        "1s"),
                logs,
                URI.create("http://127.0.0.1:" + port + "/health/ready"));
    }

    /** Kills worker i with SIGKILL and starts a replacement, as a process supervisor would. */
    void killAndReplaceWorker(int i) throws Exception {
        workers.get(i).kill9();
        workers.set(i, newWorker(i).start());
    }

    /** Starts producer i again after it was killed. */
    void restartProducer(int i) throws IOException {
        producers.get(i).start();
    }

    /**
     * Restarts every producer in turn, as a deploy does: SIGTERM, wait for its graceful stop, start it, wait until it
     * is ready and the balancer sends to it again (two checks), then the next.
     */
    void rollingRestartOfTheProducers() throws Exception {
        for (AppProcess producer : producers) {
            producer.terminate();
            producer.start();
            Poll.waitAtMost(Duration.ofSeconds(60), producer.name() + " ready again", producer::ready);
            Poll.waitAtMost(
                    Duration.ofSeconds(10),
                    "HAProxy sending to " + producer.name() + " again",
                    () -> balancerSees(producer.name(), "UP"));
        }
    }

    /** Whether HAProxy's own view of a producer (from its log of state changes) ends with this state. */
    private boolean balancerSees(String producer, String state) throws IOException {
        String last = null;
        for (String line : balancer.log().split("\n")) {
            if (line.contains("producers/" + producer + " is ")) {
                last = line;
            }
        }
        return last == null ? state.equals("UP") : last.contains("producers/" + producer + " is " + state);
    }

    /** The one URL the scanners post to: the balancer's. */
    String producerUrls() {
        return "http://127.0.0.1:" + balancerPort;
    }

    String storeUri() {
        return "mongodb://127.0.0.1:" + storePort;
    }

    /** Names of the processes whose readiness answers anything but 200 now. */
    Set<String> notReady() {
        Set<String> down = new LinkedHashSet<>();
        for (AppProcess p : producers) {
            if (!p.ready()) {
                down.add(p.name());
            }
        }
        for (AppProcess p : workers) {
            if (!p.ready()) {
                down.add(p.name());
            }
        }
        return down;
    }

    /** Consumers registered on lift-rides, and its ready messages, as the broker counts them now (-1, -1: unreachable). */
    long[] queueState() {
        try (Channel channel = rabbit.connection().createChannel()) {
            var ok = channel.queueDeclarePassive(Topology.QUEUE);
            return new long[] {ok.getConsumerCount(), ok.getMessageCount()};
        } catch (Exception unreachable) {
            return new long[] {-1, -1};
        }
    }

    /** Every process ready and every consumer registered on the queue. */
    boolean healthy() {
        return notReady().isEmpty() && queueState()[0] == (long) WORKERS * CONSUMERS_PER_WORKER;
    }

    void awaitHealthy(Duration timeout) {
        Poll.waitAtMost(
                timeout, "the pipeline healthy (every process ready, every consumer on the queue)", this::healthy);
    }

    Connection brokerConnection() {
        return rabbit.connection();
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    void restartStore(boolean graceful, Duration down) throws Exception {
        if (graceful) {
            store.terminate();
        } else {
            store.kill9();
        }
        Thread.sleep(down.toMillis());
        store.start();
        Poll.waitAtMost(Duration.ofSeconds(30), "the store listening again", () -> listening(storePort));
    }

    @Override
    public void close() throws Exception {
        for (AppProcess p : workers) {
            p.close();
        }
        for (AppProcess p : producers) {
            p.close();
        }
        balancer.close();
        store.close();
        producerLink.close();
        workerLink.close();
        storeLink.close();
    }
}
