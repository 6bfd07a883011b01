package dev.runnel.web;

/**
 * The keys of operations: who is an operator, and whether the operational endpoints are public.
 *
 * @param adminSecret   {@code runnel.admin.secret}: {@code Authorization: Bearer} with it is the admin
 *                      credential (besides a signed token with {@code admin: true}); null for none
 * @param metricsPublic {@code runnel.metrics.public}: {@code /metrics} and {@code /stats} answer without
 *                      a credential (the admin endpoints and console never do)
 *
 * <p>Threading: immutable.
 */
record OpsConfig(String adminSecret, boolean metricsPublic) {
    /** Long enough not to be guessed by trying. */
    static final int MIN_ADMIN_SECRET_LENGTH = 16;

    static OpsConfig from(Settings s) {
        OpsConfig c = new OpsConfig(s.string("runnel.admin.secret", null), s.bool("runnel.metrics.public", false));
        if (c.adminSecret != null && c.adminSecret.length() < MIN_ADMIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("runnel.admin.secret: " + c.adminSecret.length() + " characters (expected: "
                    + "at least " + MIN_ADMIN_SECRET_LENGTH + ")");
        }
        return c;
    }
}
