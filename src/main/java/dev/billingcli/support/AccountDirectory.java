package dev.billingcli.support;

import dev.billingcli.store.Database;
import java.util.List;

/** Account ids by prefix, for the shell's completion of {@code --account}. */
public final class AccountDirectory {
    private final Database database;

    public AccountDirectory(Database database) {
        this.database = database;
    }

    public List<String> idsStartingWith(String prefix, int limit) {
        return database.read(tx -> tx.accounts().idsStartingWith(prefix, limit));
    }
}
