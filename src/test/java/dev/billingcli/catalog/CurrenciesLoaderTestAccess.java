package dev.billingcli.catalog;

/** The multi-currency plans.yaml of {@link CurrenciesLoaderTest}, for the command-line tests of other packages. */
public final class CurrenciesLoaderTestAccess {
    public static final String MULTI = CurrenciesLoaderTest.MULTI;

    private CurrenciesLoaderTestAccess() {}
}
