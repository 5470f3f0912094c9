package io.liftline.broker;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import io.liftline.runtime.Secrets;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker nodes an AMQP URI names: {@code amqp://user:pass@h1:5672,h2:5672,h3:5672/vhost} is a cluster of
 * three, {@code amqp://user:pass@h1/vhost} one node. The client connects to one of them, in an order shuffled
 * per connection attempt (so processes spread over the nodes), and to another on recovery.
 *
 * @param uri       the URI with only the first node, for what the client reads from a URI (credentials, vhost,
 *                  TLS, query parameters)
 * @param addresses every node, as given
 */
public record BrokerNodes(String uri, List<Address> addresses) {

    public BrokerNodes {
        addresses = List.copyOf(addresses);
    }

    /** @throws IllegalArgumentException naming the problem, with the password masked */
    public static BrokerNodes parse(String amqpUri) {
        int scheme = amqpUri.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("not an AMQP URI: " + Secrets.maskUri(amqpUri));
        }
        int start = scheme + 3;
        int end = start;
        while (end < amqpUri.length() && amqpUri.charAt(end) != '/' && amqpUri.charAt(end) != '?') {
            end++;
        }
        String authority = amqpUri.substring(start, end);
        int at = authority.lastIndexOf('@');
        String hosts = authority.substring(at + 1);
        int defaultPort = amqpUri.startsWith("amqps")
                ? ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT
                : ConnectionFactory.DEFAULT_AMQP_PORT;
        List<Address> addresses = new ArrayList<>();
        for (String node : hosts.split(",", -1)) {
            addresses.add(address(node.strip(), defaultPort, amqpUri));
        }
        String first = hosts.split(",", -1)[0].strip();
        return new BrokerNodes(
                amqpUri.substring(0, start) + authority.substring(0, at + 1) + first + amqpUri.substring(end),
                addresses);
    }

    private static Address address(String node, int defaultPort, String uri) {
        if (node.isEmpty()) {
            throw new IllegalArgumentException("the AMQP URI names an empty node: " + Secrets.maskUri(uri));
        }
        // [::1]:5672 or host:5672 or host
        int colon = node.startsWith("[") ? node.indexOf(':', node.indexOf(']')) : node.lastIndexOf(':');
        String host = colon < 0 ? node : node.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = defaultPort;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(node.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the AMQP URI names node '" + node
                        + "' with a port that is not a number: " + Secrets.maskUri(uri));
            }
        }
        return new Address(host, port);
    }

    /** More than one node: a cluster. */
    public boolean cluster() {
        return addresses.size() > 1;
    }
}
