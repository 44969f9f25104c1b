package io.containerdexporter.it;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes; the failure message says what was last
 * seen.
 */
public final class Await {

  private Await() {}

  public static <T> T until(
      Duration timeout, String what, Supplier<T> attempt, java.util.function.Predicate<T> ok) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    RuntimeException lastError = null;
    while (true) {
      try {
        last = attempt.get();
        lastError = null;
        if (ok.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        lastError = e;
      }
      if (System.nanoTime() > deadline) {
        AssertionError failure =
            new AssertionError(
                "timed out after "
                    + timeout.toMillis()
                    + " ms waiting for "
                    + what
                    + "; last seen: "
                    + last);
        if (lastError != null) {
          failure.initCause(lastError);
        }
        throw failure;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
