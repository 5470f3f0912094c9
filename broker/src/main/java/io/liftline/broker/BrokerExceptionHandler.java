package io.liftline.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import java.net.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's default handler, but a lost connection and a failed recovery attempt log no stack trace: while
 * the broker restarts they are expected, and {@link BrokerConnection}'s shutdown listener already logs the loss.
 * Recovery attempts repeat every second: each new reason is logged once per outage, repeats go to debug.
 */
final class BrokerExceptionHandler extends DefaultExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(BrokerConnection.class);

    private volatile String lastRecoveryFailure;

    /** The connection recovered: the next outage's reasons are news again. */
    void recovered() {
        lastRecoveryFailure = null;
    }

    @Override
    public void handleUnexpectedConnectionDriverException(Connection connection, Throwable cause) {
        // always followed by the connection's shutdown, which BrokerConnection logs with this cause
        log.debug("broker connection failed: {}", describe(cause));
    }

    @Override
    public void handleConnectionRecoveryException(Connection connection, Throwable cause) {
        String reason = describe(cause);
        if (cause instanceof ConnectException || reason.equals(lastRecoveryFailure)) {
            // refused while the broker is down, or the same again: one line per retry interval would flood the log
            log.debug("recovery attempt failed: {}", reason);
        } else {
            lastRecoveryFailure = reason;
            log.warn("recovery attempt failed, retrying: {}", reason);
        }
    }

    @Override
    public void handleChannelRecoveryException(Channel channel, Throwable cause) {
        log.warn("channel {} not recovered: {}", channel.getChannelNumber(), describe(cause));
    }

    /** Whether the broker refused an operation for want of permission (AMQP 403, ACCESS_REFUSED). */
    static boolean isAccessRefused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException s
                    && s.getReason() instanceof AMQP.Channel.Close close
                    && close.getReplyCode() == AMQP.ACCESS_REFUSED) {
                return true;
            }
        }
        return false;
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
