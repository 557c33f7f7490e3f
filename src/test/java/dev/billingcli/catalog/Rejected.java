package dev.billingcli.catalog;

/** The loader's message for a plans.yaml it must reject (the test fails when it is accepted). */
final class Rejected {
    private Rejected() {}

    static String problems(String yaml) {
        try {
            CatalogLoader.parse(yaml, "plans.yaml");
        } catch (CatalogLoader.InvalidCatalogException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected the catalog to be rejected");
    }
}
