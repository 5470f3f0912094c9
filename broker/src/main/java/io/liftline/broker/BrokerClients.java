package io.liftline.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.liftline.runtime.Secrets;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * The one way a Liftline process builds an AMQP client, so that a node list, TLS verification, timeouts and
 * connection names hold in the applications, the ops tools, the benchmarks and the tests alike.
 *
 * <p>{@link BrokerConnection} adds recovery to what {@link #factory} builds; a tool that connects once, does its
 * job and exits uses {@link #connect}.
 */
public final class BrokerClients {

    /** How long a TCP connect may take. */
    public static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Heartbeats every 10 s: a black-holed connection is noticed within about 20 s. */
    public static final int HEARTBEAT_SECONDS = 10;
    /**
     * A channel RPC (channel.open, a declaration) on a connection the broker blocked gets no answer until the
     * alarm clears: 10 s, not the client's 10 minutes, bounds what waits on one.
     */
    public static final int CHANNEL_RPC_TIMEOUT_MS = 10_000;

    private BrokerClients() {}

    /**
     * A factory for the URI's first node (credentials, vhost, TLS, query parameters) with Liftline's timeouts;
     * automatic recovery off. An {@code amqps://} URI verifies the broker's certificate and host name.
     *
     * @throws IllegalArgumentException when the URI is not a valid AMQP URI (the password masked)
     */
    public static ConnectionFactory factory(BrokerNodes nodes) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(nodes.uri());
        } catch (Exception e) {
            throw new IllegalArgumentException("not a valid AMQP URI: " + Secrets.maskUri(nodes.uri()), e);
        }
        if (factory.isSSL()) {
            verifyTheBroker(factory);
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
        factory.setChannelRpcTimeout(CHANNEL_RPC_TIMEOUT_MS);
        return factory;
    }

    /**
     * One connection, without recovery, to the first node of the URI's list that answers.
     *
     * @param connectionName what the management UI shows for it, e.g. {@code liftline-ops}
     */
    public static Connection connect(String amqpUri, String connectionName) throws IOException, TimeoutException {
        BrokerNodes nodes = BrokerNodes.parse(amqpUri);
        return factory(nodes).newConnection(nodes.addresses(), connectionName);
    }

    /**
     * An {@code amqps://} URI alone makes the client trust every certificate. Verify the broker's certificate
     * against the JVM's trust store instead (set with {@code -Djavax.net.ssl.trustStore}), and its host name.
     */
    private static void verifyTheBroker(ConnectionFactory factory) {
        try {
            factory.useSslProtocol(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(
                    "cannot load the JVM's default TLS context (check javax.net.ssl.trustStore): " + e.getMessage(), e);
        }
        factory.enableHostnameVerification();
    }
}
