package io.liftline.testing;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The demo's store where there is no MongoDB: mongo-java-server with its H2 file backend, on loopback,
 * reached by the consumer with the real driver. A stand-in for trying Liftline, not for production data.
 *
 * <p>{@code java -cp ... io.liftline.testing.StandInMongo PORT FILE}; FILE {@code memory} keeps nothing on disk.
 */
public final class StandInMongo {

    private StandInMongo() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: StandInMongo PORT FILE (e.g. 27017 data/liftline.mv)");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        boolean memory = args[1].equals("memory");
        Path file = Path.of(args[1]).toAbsolutePath();
        if (!memory) {
            Files.createDirectories(file.getParent());
        }
        // In memory: the memory backend, the stand-in's fastest; on file: H2, which survives a restart.
        MongoBackend backend = memory ? StandInBackends.memory() : StandInBackends.h2(file.toString());
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        System.out.println("stand-in MongoDB (mongo-java-server, " + (memory ? "in memory" : "H2 file " + file)
                + ") listening on mongodb://127.0.0.1:" + port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.shutdownNow();
                            backend.close(); // commits the MVStore, so what was acknowledged is on disk
                            stopped.countDown();
                        },
                        "stand-in-shutdown"));
        stopped.await();
    }
}
