package io.liftline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BrokerExceptionHandlerTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(BrokerConnection.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final BrokerExceptionHandler handler = new BrokerExceptionHandler();
    private final Connection connection = mock(Connection.class);

    @BeforeEach
    void capture() {
        logger.setLevel(Level.DEBUG);
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setLevel(null);
    }

    @Test
    void aLostConnectionLogsNoStackTraceAndNamesEachCauseOnce() {
        var lost = new IOException(new ShutdownSignalException(true, false, null, connection));

        handler.handleUnexpectedConnectionDriverException(connection, lost);

        assertThat(events.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(e.getFormattedMessage())
                    .isEqualTo("broker connection failed: IOException <- ShutdownSignalException: connection error");
            assertThat(e.getThrowableProxy()).isNull();
        });
    }

    @Test
    void aRefusedRecoveryAttemptIsOnlyDebugWhileOtherFailuresWarn() {
        handler.handleConnectionRecoveryException(connection, new ConnectException("Connection refused"));
        handler.handleConnectionRecoveryException(connection, new IOException("handshake cut short"));

        assertThat(events.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.WARN);
        assertThat(events.list.get(1).getFormattedMessage())
                .isEqualTo("recovery attempt failed, retrying: IOException: handshake cut short");
        assertThat(events.list)
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    }

    @Test
    void theSameRecoveryFailureWarnsOncePerOutage() {
        for (int i = 0; i < 5; i++) {
            handler.handleConnectionRecoveryException(connection, new java.util.concurrent.TimeoutException());
        }
        handler.handleConnectionRecoveryException(connection, new IOException("handshake cut short"));
        handler.recovered();
        handler.handleConnectionRecoveryException(connection, new java.util.concurrent.TimeoutException());

        assertThat(events.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        "recovery attempt failed, retrying: TimeoutException",
                        "recovery attempt failed, retrying: IOException: handshake cut short",
                        "recovery attempt failed, retrying: TimeoutException");
    }
}
