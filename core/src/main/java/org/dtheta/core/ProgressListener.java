package org.dtheta.core;

/** Hears how far a long computation is, e.g. rows of a dense Jacobian written so far. */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores every report. */
  ProgressListener NONE = (done, total) -> {};

  /** {@code done} of {@code total} units are finished ({@code done} only grows). */
  void update(long done, long total);
}
