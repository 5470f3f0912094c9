package io.liftline.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import java.net.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's default handler, but a lost connection and a failed recovery attempt log no stack trace: while
 * the broker restarts they are expected, and {@link BrokerConnection}'s shutdown listener already logs the loss.
 */
final class BrokerExceptionHandler extends DefaultExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(BrokerConnection.class);

    @Override
    public void handleUnexpectedConnectionDriverException(Connection connection, Throwable cause) {
        // always followed by the connection's shutdown, which BrokerConnection logs with this cause
        log.debug("broker connection failed: {}", describe(cause));
    }

    @Override
    public void handleConnectionRecoveryException(Connection connection, Throwable cause) {
        if (cause instanceof ConnectException) {
            // refused while the broker is down: one line per retry interval would flood the log
            log.debug("recovery attempt refused: {}", describe(cause));
        } else {
            log.warn("recovery attempt failed, retrying: {}", describe(cause));
        }
    }

    @Override
    public void handleChannelRecoveryException(Channel channel, Throwable cause) {
        log.warn("channel {} not recovered: {}", channel.getChannelNumber(), describe(cause));
    }

    static String describe(Throwable cause) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = cause; t != null && text.length() < 300; t = t.getCause()) {
            if (text.length() > 0) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName());
            // an exception made from its cause repeats the cause's text, which follows anyway
            if (t.getMessage() != null && !t.getMessage().equals(String.valueOf(t.getCause()))) {
                text.append(": ").append(t.getMessage());
            }
        }
        return text.toString();
    }
}
