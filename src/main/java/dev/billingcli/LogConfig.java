package dev.billingcli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging set up in code (found by logback through {@code META-INF/services}), not from logback.xml:
 * parsing XML loads an XML parser and logback's configuration model, about 200 ms of every command
 * that touches the database. Logs go to stderr only: stdout carries results (and nothing but JSON
 * with {@code -o json}). Levels: {@code -Dbilling.log.level} (this tool, INFO) and
 * {@code -Dbilling.log.level.libs} (libraries, WARN).
 */
public final class LogConfig extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Level libs = Level.toLevel(System.getProperty("billing.log.level.libs"), Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(libs);
        root.addAppender(stderr);
        context.getLogger("dev.billingcli").setLevel(Level.toLevel(System.getProperty("billing.log.level"), Level.INFO));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
