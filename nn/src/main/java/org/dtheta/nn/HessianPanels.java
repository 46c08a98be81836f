package org.dtheta.nn;

import java.io.IOException;

/**
 * Writes the dense {@code P x P} Hessian of a network's loss as row panels, so that matrices
 * far larger than the heap can be streamed to a file.
 */
public interface HessianPanels {

  /**
   * Sends rows {@code [0, P)} of {@code Hess L(theta)} to {@code sink} in increasing order,
   * {@code panelRows} rows at a time (the last panel may be shorter), reporting rows done to
   * {@code progress}.
   */
  void write(double[] theta, PanelSink sink, int panelRows, ProgressListener progress)
      throws IOException;
}
