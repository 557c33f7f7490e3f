package dev.billingcli.store;

import dev.billingcli.BillingException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A database URL as users write it, {@code postgres://user:pass@host:port/db?sslmode=require}, or
 * already in JDBC form. The password is kept out of {@link #jdbcUrl()} and {@link #display()}.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password, String display) {

    public static DatabaseUrl parse(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(url, null, null, stripPassword(url));
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw BillingException.invalid("database URL must start with postgres://, postgresql:// or jdbc:postgresql:// (got "
                    + stripPassword(url) + ")");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw BillingException.invalid("database URL is not a valid URL: " + stripPassword(url));
        }
        if (uri.getHost() == null) {
            throw BillingException.invalid("database URL has no host: " + stripPassword(url));
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String db = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "postgres" : uri.getRawPath().substring(1);
        String hostPort = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        String jdbc = "jdbc:postgresql://" + hostPort + "/" + db + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        String display = "postgres://" + (user != null ? user + "@" : "") + hostPort + "/" + db;
        return new DatabaseUrl(jdbc, user, password, display);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** {@code postgres://u:secret@h/db} → {@code postgres://u:***@h/db}; also {@code password=} parameters. */
    static String stripPassword(String url) {
        return url.replaceAll("(//[^:/@]+):[^@/]*@", "$1:***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
