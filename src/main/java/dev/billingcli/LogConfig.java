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
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder(context, false));
        stderr.start();
        Level libs = Level.toLevel(System.getProperty("billing.log.level.libs"), Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(libs);
        root.addAppender(stderr);
        context.getLogger("dev.billingcli").setLevel(Level.toLevel(System.getProperty("billing.log.level"), Level.INFO));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * One line per log event; the exception's stack trace only with {@code -v} (a library's warning names its
     * cause in its message; "never a stack trace by default").
     */
    private static PatternLayoutEncoder encoder(LoggerContext context, boolean stackTraces) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n" + (stackTraces ? "" : "%nopex"));
        encoder.start();
        return encoder;
    }

    /** {@code -v}: log events carry their stack traces from now on. */
    public static void showStackTraces() {
        stackTraces(true);
    }

    static void stackTraces(boolean on) {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            var appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
            if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
                console.setEncoder(encoder(context, on));
            }
        }
    }
}
