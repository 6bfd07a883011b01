package dev.runnel.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something from the machine (a browser, a redis-server): skipped with the reason when
 * it is missing — or failed, when the environment variable {@code RUNNEL_REQUIRE_ALL} is {@code true}
 * (as in {@code .ci/run}), so that CI cannot pass by skipping.
 */
final class Prerequisites {
    private Prerequisites() {}

    /** Returns when {@code missing} is null; else skips or fails the calling test with it. */
    static void require(String missing) {
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("RUNNEL_REQUIRE_ALL"))) {
            fail(missing + "; RUNNEL_REQUIRE_ALL=true makes them required");
        }
        Assumptions.abort(missing + "; skipping");
    }
}
