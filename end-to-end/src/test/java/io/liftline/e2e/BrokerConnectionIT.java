package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.broker.BrokerConnection;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The application's broker connection against a broker that refuses what it asks. */
class BrokerConnectionIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    @Test
    void aTopologyItMayNotDeclareKeepsItRetryingOnOneConnectionAtATime() throws Exception {
        String user = "liftline-test-noconfigure-" + Long.toHexString(System.nanoTime());
        rabbit.management().createUser(user, "secret");
        try {
            // Write and read, but no configure: declaring the exchange is refused (a channel error, 403).
            rabbit.management().setPermissions(rabbit.vhost(), user, "^$", ".*", ".*");
            URI base = URI.create(rabbit.amqpUri());
            String uri = "amqp://" + user + ":secret@" + base.getHost() + ":" + base.getPort() + "/"
                    + URLEncoder.encode(rabbit.vhost(), StandardCharsets.UTF_8);
            try (BrokerConnection connection = new BrokerConnection(uri, "leak-probe", BrokerConnection.Transport.SOCKET,
                    Duration.ofMillis(100))) {
                connection.start();
                Thread.sleep(3_000); // some 20 attempts
                assertThat(connection.isConnected()).isFalse();
                // Refused the declaration, it checked the topology instead (passively), and found it missing.
                assertThat(connection.unavailableReason()).contains("cannot declare the topology",
                        "this user may not declare it", "no exchange 'lift-rides'");
                // The management API lists connections a moment late: give it the time, then count.
                Thread.sleep(3_000);
                long open = 0;
                for (JsonNode c : rabbit.management().connections(rabbit.vhost())) {
                    if (user.equals(c.path("user").asText())) {
                        open++;
                    }
                }
                assertThat(open).as("connections of the refused user still open").isLessThanOrEqualTo(1);
            }
        } finally {
            rabbit.management().deleteUser(user);
        }
    }
}
