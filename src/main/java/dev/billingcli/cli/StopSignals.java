package dev.billingcli.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * SIGTERM and SIGINT handled by a long-running command itself instead of starting the JVM's shutdown,
 * whose hooks run all at once and in no order (the embedded PostgreSQL's hook would stop the database
 * while requests are still being answered). Through {@code sun.misc.Signal} (module jdk.unsupported),
 * reached reflectively as JLine does, so that the build has no warning about internal API.
 */
final class StopSignals {
    private StopSignals() {}

    /** @return what puts the previous handlers back (nothing when signals cannot be handled here) */
    static List<Runnable> install(Runnable onStop) {
        List<Runnable> restore = new ArrayList<>();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object ignore = handlerClass.getField("SIG_IGN").get(null);
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            onStop.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "StopSignals";
                    });
            for (String name : List.of("TERM", "INT")) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                try {
                    Object previous = handle.invoke(null, signal, handler);
                    if (previous == ignore) {
                        // ignored when the process started (a background job's SIGINT): stays ignored
                        handle.invoke(null, signal, ignore);
                    } else {
                        restore.add(() -> {
                            try {
                                handle.invoke(null, signal, previous);
                            } catch (ReflectiveOperationException e) {
                                // cannot happen once installing worked
                            }
                        });
                    }
                } catch (java.lang.reflect.InvocationTargetException unavailable) {
                    // the JVM keeps this signal (-Xrs): the shutdown hook still stops the command
                }
            }
        } catch (ReflectiveOperationException | RuntimeException unavailable) {
            // no sun.misc.Signal on this JVM: the shutdown hook still stops the command
        }
        return restore;
    }
}
