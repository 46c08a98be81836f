package org.dtheta.mnist;

import java.nio.file.Path;
import java.util.List;

/**
 * Another process holding the output lock of a file, for tests of concurrent writers: claims
 * {@code args[0]} through {@link OutputGuard}, prints "locked", then waits to be killed.
 */
public final class LockHolder {

  private LockHolder() {}

  /** Holds the lock of {@code args[0]} until killed. */
  public static void main(String[] args) throws Exception {
    try (OutputGuard guard = OutputGuard.of(List.of("lock-holder", args[0]))
        .output("--out", Path.of(args[0])).claim()) {
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
