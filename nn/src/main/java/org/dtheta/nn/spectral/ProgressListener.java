package org.dtheta.nn.spectral;

/** Receives progress of a long computation: {@code done} out of {@code total} units of work. */
@FunctionalInterface
public interface ProgressListener {

  /** Does nothing; the default when no listener is given. */
  ProgressListener NONE = (done, total) -> {};

  /** Called after each unit of work (a Krylov block, a trajectory step). */
  void progress(int done, int total);
}
